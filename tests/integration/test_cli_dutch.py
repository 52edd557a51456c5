"""The command line speaks like the app: Dutch throughout (click's own usage, errors and --help
included), statuses in words, local time with its zone, lists that say how many more there
are, a readable `show`, and the version a case runs on."""

from __future__ import annotations

import gettext
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from tests.integration.test_cli import Cli
from webui.cli import cli, speak_dutch

#: what click says in English when it is not translated
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Show this message|\[OPTIONS\]|COMMAND \[ARGS\]|\bTEXT\b|"
    r"\bINTEGER\b|\[required\]|default:|Error:|Invalid value|No such|Missing (argument|option)"
)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def _forget_help_options(command: click.Command) -> None:
    """Click makes each command's --help option, with its text in the language of that moment,
    at its first use and keeps it. A test earlier in this process that ran the CLI before
    `speak_dutch` (as `wegwijs` itself never does) would leave English there."""
    command._help_option = None
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _forget_help_options(sub)


def test_every_help_text_is_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "nl")  # restored afterwards; speak_dutch sets it as well
    speak_dutch()
    _forget_help_options(cli)
    try:
        runner = CliRunner()
        commands = _commands(cli)
        assert len(commands) > 25
        for path in [(), *commands]:
            result = runner.invoke(cli, [*path, "--help"], prog_name="wegwijs")
            assert result.exit_code == 0, (path, result.output)
            assert "Gebruik: wegwijs" in result.output, path
            assert "Opties:" in result.output, path
            assert not ENGLISH.search(result.output), (path, ENGLISH.search(result.output))
    finally:
        gettext.textdomain("messages")


def test_usage_errors_are_dutch(tmp_path: Path) -> None:
    cli_ = Cli(f"sqlite:///{tmp_path / 'w.db'}", tmp_path)
    for args, expected in (
        (("nope",), "Onbekende opdracht 'nope'"),
        (("instances", "--status", "klaar"), "Ongeldige waarde voor '--status'"),
        (("instances", "--limit", "nul"), "'nul' is geen geldig getal"),
        (("complete", "abc"), "Optie ontbreekt '--user'"),
        (("show",), "Argument ontbreekt 'ZAAK'"),
    ):
        refused = cli_.run(*args, ok=False)
        assert expected in refused.stderr, (args, refused.stderr)
        assert "Gebruik: wegwijs" in refused.stderr
        assert not ENGLISH.search(refused.stderr), (args, refused.stderr)


def test_statuses_times_limits_show_and_versions(tmp_path: Path) -> None:
    cli_ = Cli(f"sqlite:///{tmp_path / 'w.db'}", tmp_path)
    cli_.run("deploy", str(FIXTURES / "tiny"))
    deployed = {p["process_id"]: p["version"] for p in cli_.json("processes")}
    cli_.run("users", "add", "anna", "--roles", "requester", "--password", "wachtwoord-anna")
    started = [
        cli_.json("start", "tiny_process", "--data", json.dumps({"source": f"cli {n}"}))
        for n in range(3)
    ]
    assert {s["version"] for s in started} == {deployed["tiny_process"]} == {1}

    # a list that stops at --limit says how many more there are
    listed = cli_.run("instances", "--limit", "2").stdout
    assert len(re.findall(r"^\d+\s+tiny_process", listed, flags=re.MULTILINE)) == 2
    assert "… en nog 1 zaak (toon ze allemaal met --limit 3)." in listed
    assert "en nog" not in cli_.run("instances").stdout

    # statuses in words; times local with their zone, as the web app shows them
    assert "lopend" in listed
    assert "running" not in listed
    assert "waiting" not in listed
    first = datetime.fromisoformat(started[-1]["started_at"])
    local = first.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y %H:%M %Z")
    assert local in listed
    assert local[-4:].strip() in ("CET", "CEST")

    # `show`: one field per line, not the data as one long JSON line
    shown = cli_.run("show", str(started[0]["id"])).stdout
    assert "lopend" in shown
    assert "Gegevens:\n" in shown
    assert re.search(r"^  source\s+cli 0$", shown, flags=re.MULTILINE), shown
    assert not re.search(r"^Gegevens: \{", shown, flags=re.MULTILINE)
    assert "Zaak gestart" in shown  # the history in words, not event codes
    assert "instance_started" not in shown

    # completing reports the case's version too, and the status in words
    [task] = cli_.json("tasks", "--instance", str(started[0]["id"]))
    done = cli_.json(
        "complete",
        task["id"],
        "--user",
        "anna",
        "--data",
        json.dumps({"title": "Bankje", "amount": 10}),
    )
    assert done["version"] == deployed["tiny_process"]
