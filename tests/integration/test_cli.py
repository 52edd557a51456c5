"""The `wegwijs` console script drives the tiny process start to end, on both databases,
and reports mistakes as one clear line with a non-zero exit code (never a traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

WEGWIJS = shutil.which("wegwijs", path=str(Path(sys.executable).parent)) or "wegwijs"


class Cli:
    def __init__(self, database_url: str, cwd: Path) -> None:
        self.env = {**os.environ, "WEGWIJS_DATABASE_URL": database_url}
        self.env.pop("WEGWIJS_DEBUG", None)
        self.cwd = cwd

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [WEGWIJS, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=120,
            check=False,
        )
        if ok:
            assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
        else:
            assert result.returncode != 0, f"{args} should have failed: {result.stdout}"
            assert "Traceback" not in result.stderr + result.stdout
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


def test_cli_runs_the_tiny_process_start_to_end(database_url: str, tmp_path: Path) -> None:
    cli = Cli(database_url, tmp_path)
    cli.run("db", "upgrade")
    out = cli.run("deploy", str(FIXTURES / "tiny"), "--user", "owner").stdout
    assert "tiny_process versie 1" in out
    assert "Ongewijzigd" in cli.run("deploy", str(FIXTURES / "tiny")).stdout
    assert {p["process_id"] for p in cli.json("processes")} == {
        "tiny_process",
        "tiny_confirm_process",
    }

    cli.run("users", "add", "anna", "--roles", "requester", "--password", "wachtwoord-anna")
    cli.run("users", "add", "rob", "--roles", "reviewer", "--password", "wachtwoord-rob")
    started = cli.json("start", "tiny_process", "--data", '{"source": "cli"}', "--key", "Z-CLI-1")
    instance = str(started["id"])
    [submit] = cli.json("tasks", "--instance", instance)
    assert submit["bpmn_id"] == "submit_request"
    cli.run(
        "complete",
        submit["id"],
        "--user",
        "anna",
        "--data",
        '{"amount": 5000, "title": "Buurtfeest"}',
    )

    # the wrong role is refused with a clear message
    [review] = cli.json("tasks", "--instance", instance)
    refused = cli.run("complete", review["id"], "--user", "anna", ok=False)
    assert "reviewer" in refused.stderr
    cli.run("message", "payment_received", "--key", "Z-CLI-1", "--data", '{"amount": 42}')
    cli.run(
        "complete",
        review["id"],
        "--user",
        "rob",
        "--data",
        '{"approved": true}',
    )
    [confirm] = cli.json("tasks", "--instance", instance)
    assert confirm["bpmn_id"] == "confirm_result"
    cli.run("complete", confirm["id"], "--user", "anna")

    shown = cli.json("show", instance)
    assert shown["summary"]["status"] == "completed"
    assert shown["data"]["level"] == "high"
    assert shown["data"]["payment"] == {"amount": 42}
    assert [e["type"] for e in shown["events"]][-1] == "instance_completed"
    assert "afgerond" in cli.run("show", instance).stdout
    [listed] = cli.json("instances")
    assert listed["status"] == "completed"

    again = cli.run("complete", confirm["id"], "--user", "anna", ok=False)
    assert "al afgerond" in again.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("start", "no_such_process"), "bestaat niet"),
        (("start", "tiny_process", "--data", "{not json"), "geen geldige JSON"),
        (("start", "tiny_process", "--data", "[1, 2]"), "JSON-object"),
        (("complete", "00000000-0000-0000-0000-000000000000", "--user", "x"), "bestaat niet"),
        (("show", "999"), "bestaat niet"),
        (("deploy", str(FIXTURES / "hostile" / "xxe.bpmn")), "DTD"),
        (("validate", str(FIXTURES / "hostile" / "bad_script_syntax.bpmn")), "regel"),
        (("deploy", "/nonexistent/path.bpmn"), "bestaat niet"),
    ],
)
def test_cli_mistakes_get_one_clear_line_and_a_non_zero_exit(
    database_url: str, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    cli = Cli(database_url, tmp_path)
    cli.run("deploy", str(FIXTURES / "tiny"))
    result = cli.run(*args, ok=False)
    assert expected in result.stderr + result.stdout


def test_cli_default_database_is_created_under_instance(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WEGWIJS_DATABASE_URL"}
    result = subprocess.run(
        [WEGWIJS, "processes", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert (tmp_path / "instance" / "wegwijs.db").is_file()


def test_unreachable_database_is_reported_without_traceback(tmp_path: Path) -> None:
    cli = Cli("postgresql://nobody@127.0.0.1:1/none", tmp_path)
    result = cli.run("processes", ok=False)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_cli_fund_shows_the_default_period(database_url: str, tmp_path: Path) -> None:
    cli = Cli(database_url, tmp_path)
    shown = cli.json("fund")
    assert shown["summary"]["ceiling"] == 12_000_000  # cents: € 120.000
    assert shown["summary"]["available"] == 12_000_000
    assert shown["entries"] == []
    assert "€\u00a0120.000,00" in cli.run("fund").stdout
    assert "bestaat niet" in cli.run("fund", "--period", "1999", ok=False).stderr


def test_cli_simulate_fills_the_database_with_real_history(
    database_url: str, tmp_path: Path
) -> None:
    cli = Cli(database_url, tmp_path)
    out = cli.run("simulate", "--months", "1", "--seed", "2").stdout
    assert "Klaar in" in out
    assert "Let op" not in out  # no errored cases
    # per route: the wait for the answer against the norm, and the signals
    assert "mediaan  p80  norm  binnen norm  signalen" in out
    processes = {p["process_id"] for p in cli.json("processes")}
    assert {
        "complex_initiative_process",
        "wijkwens_process",
        "simple_green_initiative_process",
    } <= processes
    cases = cli.json("instances")
    assert cases
    assert {c["status"] for c in cases} <= {"running", "waiting", "completed"}
    assert (
        "--months" in cli.run("simulate", "--months", "0", ok=False).stderr
    )  # out of range, refused


def test_cli_simulate_with_an_end_date_gives_the_same_period_every_time(
    database_url: str, tmp_path: Path
) -> None:
    """Without --end the simulated period ends today, so a seed gives another year tomorrow;
    with it, runs on any day can be compared."""
    cli = Cli(database_url, tmp_path)
    args = ("simulate", "--months", "1", "--seed", "3", "--end", "2026-04-01")
    first = cli.run(*args).stdout
    cases = cli.json("instances")
    assert cases
    started = sorted(c["started_at"] for c in cases)
    # a month that ends on the given day (the simulated days start at 08:00)
    assert started[0] >= "2026-03-01T08:00"
    assert started[-1] < "2026-04-01T08:00"
    # the same figures again on a fresh database (only the wall-clock line differs)
    again = Cli(f"sqlite:///{tmp_path / 'again.db'}", tmp_path).run(*args).stdout
    assert again.split("taken afgerond", 1)[1] == first.split("taken afgerond", 1)[1]
    assert "had al" not in first
    # a second run on the same database continues from the first: it says so
    before = len(cli.json("instances", "--limit", "100000"))
    assert f"de database had al {before} zaken" in cli.run(*args).stdout
    assert "JJJJ-MM-DD" in cli.run("simulate", "--end", "31-03-2026", ok=False).stderr
