"""Template filters: dates and ages the Dutch way, in the Europe/Amsterdam zone."""

from __future__ import annotations

from datetime import date as calendar_day
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Flask

from webui import i18n

ZONE = ZoneInfo("Europe/Amsterdam")


def date(value: datetime | None) -> str:
    if not value:
        return "–"
    local = value.astimezone(ZONE)
    return f"{local.day:02d}-{local.month:02d}-{local.year}"


def day(value: calendar_day | None) -> str:
    """A day as people say it, in the interface's language: "woensdag 13 mei 2026", with
    no-break spaces (a date is never split over two lines)."""
    if not value:
        return "–"
    return format_date(value, "EEEE d MMMM y", locale=i18n.language()).replace(" ", "\u00a0")


def datetime_(value: datetime | None) -> str:
    return value.astimezone(ZONE).strftime("%d-%m-%Y %H:%M") if value else "–"


def age(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "–"
    return days_ago((now - value).days, i18n.translations())


def days_ago(days: int, catalog: Any) -> str:
    """An age in whole days ("vandaag", "1 dag", "12 dagen") from the request's catalog."""
    if days <= 0:
        return str(catalog.gettext("vandaag"))
    return str(catalog.ngettext("%(num)s dag", "%(num)s dagen", days) % {"num": days})


def register(app: Flask) -> None:
    app.add_template_filter(date, "date")
    app.add_template_filter(day, "day")
    app.add_template_filter(datetime_, "datetime")
    app.add_template_global(age, "age")
