"""E-mail from the outbox, against a real SMTP server (aiosmtpd) in the test: each message once,
in Dutch (text and HTML), retried while the server refuses, given up (and shown) when it refuses
for good; and a `wegwijs serve` killed between the commit and the sending sends it once after
its restart."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine, HumanTask, ManualClock
from engine.readmodel import outbox
from tests.conftest import count_statements
from tests.integration.test_serve import WEGWIJS, _free_port, start_serve
from tests.mailserver import Postbox, smtp_to, text_of
from tests.webapp import add_user, login, post
from webui import create_app
from workflows import accounts, bootstrap, digest, handovers, mail, status_links
from workflows.accounts import System
from workflows.simulation import complex_start, simulate_year


@pytest.fixture
def domain(database_url: str, clock: ManualClock) -> Iterator[Engine]:
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="test")
    yield engine
    engine.dispose()


def start_cases(engine: Engine, *numbers: int) -> None:
    for n in numbers:
        engine.start(
            "complex_initiative_process",
            complex_start(random.Random(n), n),
            business_key=f"INI-2026-{n:04d}",
            actor="test",
        )


def queued(engine: Engine) -> int:
    with engine.reading() as conn:
        return len(conn.execute(select(outbox.c.id).where(outbox.c.kind == "email")).all())


def test_each_message_goes_out_once_in_dutch_as_text_and_html(
    domain: Engine, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    start_cases(domain, 1, 2)
    waiting = queued(domain)
    assert waiting >= 2  # each case's receipt at least
    first = mail.send_due(domain, smtp_to(port))
    assert (first.sent, first.retry_later, first.given_up) == (waiting, 0, 0)
    assert mail.send_due(domain, smtp_to(port)).sent == 0  # a second round sends nothing again
    assert len(box.received) == waiting
    assert len(set(box.ids())) == waiting  # one Message-ID per outbox row
    receipt = next(m for m in box.received if "ontvangen" in str(m["Subject"]))
    assert "INI-2026-000" in str(receipt["Subject"])
    assert receipt["To"] == "initiatiefnemer1@example.nl" or receipt["To"].endswith("@example.nl")
    kinds = {part.get_content_type() for part in receipt.walk()}
    assert {"text/plain", "text/html"} <= kinds
    body = text_of(receipt)
    assert "Beste initiatiefnemer" in body
    assert "Wat gebeurt er nu?" in body
    assert "{{" not in body
    assert not mail.not_sent(domain)


def test_a_server_that_refuses_for_a_while_gets_every_message_later_once(
    domain: Engine, clock: ManualClock, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    start_cases(domain, 3)
    waiting = queued(domain)
    # first the server is not there at all, then it says "later" three times
    nowhere = mail.SmtpSettings(host="127.0.0.1", port=_free_port(), security="none", timeout=2)
    assert mail.send_due(domain, nowhere).retry_later == waiting
    (pending, *_) = mail.not_sent(domain)
    assert "niet bereikbaar" in (pending.last_error or "")
    assert pending.next_attempt_at is not None
    assert mail.send_due(domain, smtp_to(port)).sent == 0  # not due yet: backoff
    box.refuse_next = 3
    tries = 0
    while len(box.received) < waiting and tries < 20:
        clock.advance(mail.MAX_BACKOFF)
        mail.send_due(domain, smtp_to(port))
        tries += 1
    assert len(box.received) == waiting
    assert len(set(box.ids())) == waiting  # every message, once
    assert box.refuse_next == 0
    assert not mail.not_sent(domain)


def test_a_permanent_refusal_is_given_up_shown_and_can_be_tried_again(
    domain: Engine, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    start_cases(domain, 4)
    to = mail.not_sent(domain)[0].to
    box.unknown.add(to)
    result = mail.send_due(domain, smtp_to(port))
    assert result.given_up >= 1
    given_up = [p for p in mail.not_sent(domain) if p.gave_up_at is not None]
    assert given_up
    assert "weigert het adres" in (given_up[0].last_error or "")
    assert "550" in (given_up[0].last_error or "")
    assert mail.send_due(domain, smtp_to(port)).sent == 0  # given up stays given up
    box.unknown.clear()  # the beheerder corrected the address
    assert mail.try_again(domain, System("beheerder"), given_up[0].id)
    assert mail.send_due(domain, smtp_to(port)).sent == 1
    assert len(box.received) == 1


def test_a_sender_that_died_holding_a_message_lets_go_after_its_lease(
    domain: Engine, clock: ManualClock, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    start_cases(domain, 5)
    held = mail.claim(domain)  # a sender took them and died before sending
    assert held
    assert mail.send_due(domain, smtp_to(port)).sent == 0  # another sender leaves them alone
    clock.advance(mail.LEASE)
    clock.advance(mail.LEASE)
    assert mail.send_due(domain, smtp_to(port)).sent == len(held)
    assert len(box.received) == len(held)


def _serve(tmp_path: Path, env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return start_serve(tmp_path, env, port, subprocess.DEVNULL)


def test_a_server_killed_between_the_commit_and_the_sending_sends_once_after_restart(
    tmp_path: Path, postbox: tuple[Postbox, int]
) -> None:
    box, smtp_port = postbox
    env = {
        **os.environ,
        "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'mail.db'}",
        "WEGWIJS_SECRET_KEY": "mail-test",
        "WEGWIJS_SMTP_HOST": "127.0.0.1",
        "WEGWIJS_SMTP_PORT": str(smtp_port),
        "WEGWIJS_SMTP_SECURITY": "none",
        "WEGWIJS_LOOP_SECONDS": "3600",  # after its first round, this server never comes back
    }
    cli = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True, "check": True}
    subprocess.run([str(WEGWIJS), "deploy", str(bootstrap.BPMN_DIR)], **cli)  # type: ignore[call-overload]
    port = _free_port()
    server = _serve(tmp_path, env, port)
    time.sleep(1)  # its first round ran: nothing to send yet
    data = json.dumps(complex_start(random.Random(6), 6), default=str)
    subprocess.run(  # type: ignore[call-overload]
        [str(WEGWIJS), "start", "complex_initiative_process", "--data", data, "--key", "K-6"],
        **cli,
    )
    server.send_signal(signal.SIGKILL)  # the message is committed, and not sent
    server.wait(timeout=30)
    assert box.received == []
    server = _serve(tmp_path, {**env, "WEGWIJS_LOOP_SECONDS": "1"}, port)
    try:
        deadline = time.monotonic() + 60
        while not box.received and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # three more rounds: nothing goes out again
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert len(box.received) == 1, [m["Subject"] for m in box.received]
    assert "K-6" in str(box.received[0]["Subject"])


def test_the_beheerder_sees_a_given_up_message_with_its_reason_and_tries_it_again(
    domain: Engine, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    start_cases(domain, 7)
    box.unknown.add(mail.not_sent(domain)[0].to)
    mail.send_due(domain, smtp_to(port))
    app = create_app(
        bootstrap.Settings(database_url="sqlite://"),  # not opened: the engine is given
        engine=domain,
        config={"TESTING": True, "SECRET_KEY": "t"},
    )
    add_user(app, "bea", "beheerder")
    client = app.test_client()
    assert login(client, "bea").status_code == 302
    page = client.get("/beheer/berichten")
    assert page.status_code == 200
    assert "Opgegeven op" in page.text
    assert "weigert het adres" in page.text
    assert "Wij hebben uw initiatief ontvangen" in page.text  # the subject, not a template code
    assert "ontvangstbevestiging" not in page.text
    assert "geen mailserver ingesteld" in page.text  # this app was given no SMTP settings
    (given_up,) = [m for m in mail.not_sent(domain) if m.gave_up_at]
    box.unknown.clear()
    again = post(client, f"/beheer/berichten/{given_up.id}/opnieuw", follow_redirects=True)
    assert "weer in de wachtrij" in again.text
    assert mail.send_due(domain, smtp_to(port)).sent == 1
    assert "Alle berichten zijn verstuurd." in client.get("/beheer/berichten").text
    # a casist does not come here
    add_user(app, "carla", "casist")
    other = app.test_client()
    login(other, "carla")
    assert other.get("/beheer/berichten").status_code == 403


def test_the_mail_of_a_simulation_stays_history_and_is_never_sent(
    tmp_path: Path, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    settings = bootstrap.Settings(database_url=f"sqlite:///{tmp_path / 'sim.db'}")
    report = simulate_year(settings, months=1, seed=2)
    assert sum(report.started.values()) > 5
    engine = bootstrap.open_engine(settings)
    try:
        with engine.reading() as conn:
            kinds = set(conn.execute(select(outbox.c.kind)).scalars())
        assert kinds == {"simulated_email"}  # the receipts and the rest: kept, made-up addresses
        assert mail.send_due(engine, smtp_to(port)).sent == 0
        assert mail.not_sent(engine) == []
        assert box.received == []
    finally:
        engine.dispose()


def test_each_colleague_gets_one_morning_overview_of_what_needs_attention(
    domain: Engine, clock: ManualClock, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    start_cases(domain, 8, 9)
    accounts.add_user(
        domain, "ines", ["initiatieventeam"], "ines-wachtwoord-1", "Ines de Vries", "ines@x.nl"
    )
    accounts.add_user(domain, "ivo", ["initiatieventeam"], "ivo-wachtwoord-12", "Ivo", "ivo@x.nl")
    first, second = domain.list_tasks(lanes=["initiatieventeam"])
    domain.claim_task(first.id, "ines")
    domain.claim_task(second.id, "ines")
    assert first.due_at is not None
    # the next morning before seven: nothing yet; after seven: one overview for ines, none for
    # ivo (he holds nothing); a second round and a restart queue nothing more
    morning = first.due_at.astimezone(digest.ZONE).replace(hour=6, minute=30) + timedelta(days=1)
    clock.set(morning)
    assert digest.queue_due(domain) == 0
    clock.set(morning.replace(hour=7, minute=5))
    assert digest.queue_due(domain) == 1
    assert digest.queue_due(domain) == 0
    mail.send_due(domain, smtp_to(port))  # the cases' receipts, and the overview
    (overview,) = [m for m in box.received if "Uw taken" in str(m["Subject"])]
    assert overview["To"] == "ines@x.nl"
    body = text_of(overview)
    assert body.startswith("Beste Ines de Vries,")
    assert "(te laat)" in body  # past the intake's norm by now
    assert "INI-2026-0008: " in body or "INI-2026-0009: " in body
    assert body.count("\n- ") == 2  # both of her tasks, one line each
    # the day after: a new overview (the tasks are still hers, and later still)
    clock.advance(timedelta(days=1))
    assert digest.queue_due(domain) == 1


def test_an_overview_says_nothing_of_tasks_that_need_no_attention() -> None:
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

    def task(due_days: float | None, given_days_ago: float) -> HumanTask:
        return HumanTask(
            id="t",
            instance_id=1,
            process_id="p",
            business_key="INI-1",
            bpmn_id="x",
            title="Taak",
            lane="casist",
            state="open",
            assignee="carla",
            created_at=now - timedelta(days=30),
            claimed_at=now - timedelta(days=given_days_ago),
            completed_at=None,
            completed_by=None,
            due_at=None if due_days is None else now + timedelta(days=due_days),
        )

    assert digest.lines_for([task(10, 5)], now) == []  # far off, not new
    assert digest.lines_for([task(None, 5)], now) == []  # no norm, not new
    (late,) = digest.lines_for([task(-1, 5)], now)
    assert late.overdue
    assert "(te laat)" in late.text()
    (soon,) = digest.lines_for([task(1, 5)], now)
    assert not soon.overdue
    (new,) = digest.lines_for([task(None, 0.5)], now)
    assert "nieuw voor u" in new.text()


def test_a_partners_message_lists_the_initiators_details_and_never_the_status_link(
    domain: Engine, postbox: tuple[Postbox, int]
) -> None:
    """The masterclass referral to Stichting MBO: the lines the diagram gave, the municipality's
    contact person, and no private link (only the initiator may have that)."""
    box, port = postbox
    start_cases(domain, 3)
    case = domain.list_instances()[0].id
    with domain.transaction() as uow:
        uow.connection.execute(
            outbox.insert().values(
                instance_id=case,
                kind="email",
                payload={
                    "template": "aanmelding_masterclass",
                    "to": "leergang@stichting.example",
                    "zaaknummer": "INI-2026-0003",
                    "task": "refer_masterclass",
                    "items": ["Initiatiefnemer: Ayla Demir", "E-mail: ayla@example.nl"],
                },
                created_at=domain.now(),
            )
        )
    links = status_links.Links("partner-test", "https://wegwijs.example")
    mail.send_due(domain, smtp_to(port), links)
    partner = next(m for m in box.received if m["To"] == "leergang@stichting.example")
    body = text_of(partner)
    assert "Aanmelding leergang Sociaal Ondernemen" in str(partner["Subject"])
    assert body.startswith("Goedendag,")
    assert "- Initiatiefnemer: Ayla Demir" in body
    assert "- E-mail: ayla@example.nl" in body
    assert "wegwijs.example" not in body
    assert "persoonlijke pagina" not in body
    assert "Uw vaste contactpersoon" not in body
    # the initiator's own receipt still carries the link
    own = next(m for m in box.received if m["To"] != "leergang@stichting.example")
    assert "https://wegwijs.example" in text_of(own)


def test_the_sender_and_the_hand_overs_look_only_at_unsent_rows_of_their_own_kind(
    tmp_path: Path,
) -> None:
    """A year of simulated mail (never sent) or a day without a mail server leaves thousands
    of unsent rows; the sender's and the hand-overs' look, every loop round, goes through the
    partial index on (kind, id) and reads none of them (SQLite's plan: SEARCH, not SCAN)."""
    engine = bootstrap.open_engine(
        bootstrap.Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"), clock=ManualClock()
    )
    try:
        with engine.transaction() as uow:
            uow.connection.execute(
                outbox.insert(),
                [
                    {"kind": "simulated_email", "payload": {}, "created_at": engine.now()}
                    for _ in range(3_000)
                ],
            )
        with count_statements(engine) as seen:
            assert handovers.due(engine) == []
            assert mail.claim(engine) == []
        looks = [s for s in seen if s.startswith("SELECT outbox.id FROM outbox")]
        assert len(looks) == 2, seen
        with engine.reading() as conn:
            plans = [
                " ".join(
                    str(row[-1])
                    for row in conn.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {sql}", tuple([None] * sql.count("?"))
                    )
                )
                for sql in looks
            ]
    finally:
        engine.dispose()
    assert all("USING INDEX ix_outbox_unsent_kind" in plan for plan in plans), plans
