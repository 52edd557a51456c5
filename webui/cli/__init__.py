"""The `wegwijs` command line, one module per group of commands:

| module | commands |
|---|---|
| `processes` | `db upgrade`, `validate`, `deploy`, `processes` |
| `cases` | `start`, `message`, `cancel`, `retry`, `timers`, `instances`, `show`, `fund` |
| `tasks` | `tasks`, `task`, `complete`, `claim`, `release`, `reassign` (as a person) |
| `users` | `users add`, `list`, `set-roles`, `set-teams`, `set-password` |
| `running` | `demo`, `simulate`, `serve` |
| `reports` | `report leadtimes`, `export`, `audit`, `fund`; `reports rebuild`, `check` |
| `mail` | `mail list`, `send`, `retry` (the outbox's e-mail) |

Every state change goes through the same use case in `workflows/` as the web app. Errors print
one clear Dutch line and exit non-zero; no traceback unless WEGWIJS_DEBUG=1.
"""

from __future__ import annotations

import gettext
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from webui import i18n
from webui.cli import cases, mail, processes, reports, running, tasks, users
from webui.cli.common import dutch_help
from workflows.errors import DefinitionError, EngineError


@click.group()
def cli() -> None:
    """Wegwijs: initiatieven van inwoners als BPMN-processen."""


for _module in (processes, cases, tasks, users, running, reports, mail):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
dutch_help(cli)


#: click's own messages (usage, errors, --help) in Dutch: webui/cli/translations
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def speak_dutch() -> None:
    """Click's own texts in Dutch, like ours: its messages go through the standard `gettext`
    module, which takes the language from LANGUAGE and the catalog from the text domain."""
    i18n.ensure_compiled(TRANSLATIONS)
    os.environ["LANGUAGE"] = "nl"
    gettext.bindtextdomain("click", str(TRANSLATIONS))
    gettext.textdomain("click")


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point with clear errors instead of tracebacks."""
    debug = bool(os.environ.get("WEGWIJS_DEBUG"))
    # what went wrong is printed as one Dutch line; the log's warnings are for WEGWIJS_DEBUG
    logging.basicConfig(
        level=logging.WARNING if debug else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    speak_dutch()
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="wegwijs",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("Afgebroken.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DefinitionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except EngineError as exc:
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"Onverwachte fout ({exc.__class__.__name__}): {_first_line(exc)}", err=True)
        click.echo("Zet WEGWIJS_DEBUG=1 voor details.", err=True)
        sys.exit(2)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""
