"""Template filters: dates, ages and money the Dutch way, in the Europe/Amsterdam zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import ngettext

from workflows import fund

ZONE = ZoneInfo("Europe/Amsterdam")


def date(value: datetime | None) -> str:
    return value.astimezone(ZONE).strftime("%d-%m-%Y") if value else "–"


def datetime_(value: datetime | None) -> str:
    return value.astimezone(ZONE).strftime("%d-%m-%Y %H:%M") if value else "–"


def age(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "–"
    days = (now - value).days
    if days <= 0:
        return str(ngettext("vandaag", "vandaag", 1))
    return str(ngettext("%(num)s dag", "%(num)s dagen", days))


def money(cents: int | None) -> str:
    return fund.euros(cents) if cents is not None else "–"


def register(app: Flask) -> None:
    app.add_template_filter(date, "date")
    app.add_template_filter(datetime_, "datetime")
    app.add_template_filter(money, "money")
    app.add_template_global(age, "age")
