"""What every command of the `wegwijs` command line shares: the engine, who acts, reading
`--data`, and printing tables and JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from workflows import accounts, bootstrap
from workflows.errors import NotFoundError


def engine(upgrade: bool = False) -> Any:
    """The engine on WEGWIJS_DATABASE_URL (a fresh database is created on first use)."""
    return bootstrap.open_engine(bootstrap.settings_from_env(), upgrade=upgrade)


def system(user: str | None) -> accounts.System:
    """The operator at the command line acts for the system; `--user` records who."""
    return accounts.System(name=user or "opdrachtregel")


def person(eng: Any, username: str) -> accounts.User:
    """The account a task command acts as: checked exactly as on the web."""
    found = accounts.get_user(eng, username)
    if found is None:
        raise NotFoundError(
            f"Gebruiker '{username}' bestaat niet of is niet actief; taken worden gedaan door "
            "iemand met een account ('wegwijs users add')."
        )
    return found


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    click.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def parse_data(raw: str | None) -> dict[str, Any]:
    """`--data` as a JSON object of plain values (no NaN or Infinity)."""
    if not raw:
        return {}

    def refuse(token: str) -> Any:
        raise click.BadParameter(
            f"'{token}' is geen getal dat bewaard kan worden; gebruik een gewoon getal",
            param_hint="--data",
        )

    try:
        data = json.loads(raw, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"geen geldige JSON: {exc.msg} (positie {exc.pos})", param_hint="--data"
        ) from exc
    except RecursionError as exc:
        raise click.BadParameter("de JSON is te diep genest", param_hint="--data") from exc
    if not isinstance(data, dict):
        raise click.BadParameter(
            "verwacht een JSON-object, zoals '{\"bedrag\": 100}'", param_hint="--data"
        )
    return data


def fmt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    if not rows:
        click.echo("(geen)")
        return
    cells = [
        [str(c) for c in headers],
        *[[("-" if c is None else str(c)) for c in r] for r in rows],
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for i, row in enumerate(cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            click.echo("  ".join("-" * w for w in widths))


def redact(url: str) -> str:
    """A database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
