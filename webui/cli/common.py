"""What every command of the `wegwijs` command line shares: the engine, who acts, reading
`--data`, and printing tables and JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from webui.formatting import ZONE
from workflows import accounts, bootstrap
from workflows.errors import NotFoundError

#: how the command line names a case's status (the engine's word → Dutch, as the web app)
STATUS_WORDS = {
    "running": "lopend",
    "waiting": "wacht",
    "completed": "afgerond",
    "errored": "in-fout",
    "cancelled": "gestopt",
}
#: how many rows a list shows unless --limit says otherwise
DEFAULT_LIMIT = 50

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Uitvoer als JSON (voor scripts; tijden in UTC)."
)


def limit_option(noun: str) -> Any:
    return click.option(
        "--limit",
        default=DEFAULT_LIMIT,
        show_default=True,
        type=click.IntRange(1, 100_000),
        help=f"Hoeveel {noun} hoogstens.",
    )


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def status_choice() -> click.Choice[str]:
    """`--status` in Dutch."""
    return click.Choice(list(STATUS_WORDS.values()), case_sensitive=False)


#: how --help names the kind of value an option takes
_METAVARS = {
    "text": "TEKST",
    "integer": "GETAL",
    "integer range": "GETAL",
    "float": "GETAL",
    "path": "PAD",
    "boolean": "JA/NEE",
    "filename": "BESTAND",
}


#: how --help names the arguments (the code's own names are English)
_ARGUMENTS = {
    "instance_id": "ZAAK",
    "task_id": "TAAK",
    "process_id": "PROCES",
    "username": "GEBRUIKER",
    "name": "NAAM",
    "to": "NAAR",
    "paths": "PADEN...",
    "roles": "ROLLEN",
    "teams": "TEAMS",
    "kind": "SOORT",
}


def dutch_help(command: click.Command) -> None:
    """The words click puts in --help itself ([OPTIONS], TEXT, COMMAND [ARGS]...) in Dutch, for
    this command and every command under it."""
    command.options_metavar = "[OPTIES]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."
        for sub in command.commands.values():
            dutch_help(sub)
    for param in command.params:
        if isinstance(param, click.Argument) and param.name in _ARGUMENTS:
            param.metavar = _ARGUMENTS[param.name]
        if (
            isinstance(param, click.Option)
            and param.metavar is None
            and not isinstance(param.type, click.Choice)
        ):
            word = _METAVARS.get(param.type.name)
            if word:
                param.metavar = word


def engine_status(word: str | None) -> str | None:
    """The engine's status for a `--status` word (Dutch or the engine's own)."""
    if word is None:
        return None
    found = {v: k for k, v in STATUS_WORDS.items()}.get(word.lower())
    return found or word.lower()


def more(shown: int, total: int, nouns: tuple[str, str]) -> None:
    """The line under a list that stopped at --limit: how many more there are."""
    rest = total - shown
    if rest > 0:
        noun = nouns[0] if rest == 1 else nouns[1]
        click.echo(f"… en nog {rest} {noun} (toon ze allemaal met --limit {total}).")


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

    def number(token: str) -> Any:
        if len(token) > MAX_NUMBER_CHARS:
            raise click.BadParameter(
                f"een getal van {len(token)} tekens is te lang (ten hoogste {MAX_NUMBER_CHARS})",
                param_hint="--data",
            )
        value = float(token) if any(c in token for c in ".eE") else int(token)
        if value in (float("inf"), float("-inf")):
            refuse(token)
        return value

    try:
        data = json.loads(raw, parse_constant=refuse, parse_float=number, parse_int=number)
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
    if _depth(data) > MAX_DEPTH:
        raise click.BadParameter(
            f"de JSON is te diep genest (ten hoogste {MAX_DEPTH} niveaus)", param_hint="--data"
        )
    return data


#: bounds of `--data`: a number's length in characters, the nesting of objects and lists
MAX_NUMBER_CHARS = 30
MAX_DEPTH = 20


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def fmt(value: datetime | None) -> str:
    """A moment as the web app shows it: local time (Europe/Amsterdam), with the zone."""
    return value.astimezone(ZONE).strftime("%d-%m-%Y %H:%M %Z") if value else "-"


def show_value(value: Any) -> str:
    """One value of case data on one line, readable: text as is, the rest as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if value is None:
        return "-"
    return json.dumps(to_jsonable(value), ensure_ascii=False, default=str)


def data_lines(data: dict[str, Any], indent: str = "  ") -> None:
    """Case or task data, one field per line, aligned, long values wrapped."""
    import textwrap

    if not data:
        click.echo(f"{indent}(geen)")
        return
    width = min(max(len(k) for k in data), 28)
    for key in sorted(data):
        text = show_value(data[key])
        lines = textwrap.wrap(text, 100 - width - len(indent) - 2) or [""]
        click.echo(f"{indent}{key.ljust(width)}  {lines[0]}")
        for line in lines[1:]:
            click.echo(f"{indent}{' ' * width}  {line}")


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
