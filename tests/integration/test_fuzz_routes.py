"""Generated input against the live app: every task form, the notes and the uploads.

A simulated stretch of months runs through the app's own engine. The first time a task of a
form opens, before the simulated colleague completes it, hypothesis posts generated values to
that task's page as a logged-in colleague would (finish or save as draft): numbers in every
script and length, dates in every shape, choices that are not among the options, fields that
are missing, repeated or unknown, text with control characters. Then the notes and upload routes
of a case get the same treatment. Every answer must be a page a person can read: no 5xx, and
nothing of what a person should never see (`test_demo_pages.RULES`: English words, Python
values, codes) nor an English library message.

Generated text never holds those patterns itself, so whatever the checks find came from the app.
The examples are derandomized (CI sees the same ones every run); locally, WEGWIJS_FUZZ_EXAMPLES=200
runs more of them and WEGWIJS_FUZZ_RANDOM=1 new ones each run.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from engine import HumanTask, ManualClock
from tests.integration.test_demo_pages import EMAIL, RULES, visible_texts
from tests.integration.test_process_complex import advise, assess_all, intake, pay
from tests.webapp import (
    ASPECT_TEAMS,
    add_user,
    driver,
    engine_of,
    login,
    make_app,
    post,
    start_complex,
    to_assessment,
    to_decision,
)
from workflows import bootstrap, demo, status_links
from workflows.roles import LANE_ROLES
from workflows.simulation.core import Simulation, add_months
from workflows.simulation.profiles import profiles
from workflows.simulation.staff import Staff
from workflows.simulation.year import staff_of

#: a failing example may hold 100 kB of text: hypothesis warns, the failure itself is what counts
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
EXAMPLES = int(os.environ.get("WEGWIJS_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("WEGWIJS_FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MONTHS = 12
FUZZER = "fuzzer"

#: what a library or Python says in English when the app lets it speak (beside RULES)
ENGLISH = re.compile(
    r"\b(is not|is a required property|is not of type|does not match|is too (long|short|large)|"
    r"is (greater|less) than|additional properties|not allowed|failed|invalid|exception|"
    r"traceback|bad request|internal server error|must be|should be|expected|unexpected|"
    r"value ?error|type ?error|key ?error|literal|decimal|overflow|conversion|"
    r"Method Not Allowed|Not Found|Forbidden|Request Entity Too Large)\b",
    re.IGNORECASE,
)
BAD = [rule.pattern for rule in RULES] + [ENGLISH]


def harmless(text: str) -> bool:
    """Generated text that matches none of the checks (so a finding is the app's own)."""
    return not any(pattern.search(text) for pattern in BAD)


# ------------------------------------------------------------------ what generated input looks like

DIGITS = "0123456789"
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９𝟎𝟏𝟐"
texts = st.text(max_size=400).filter(harmless)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(lambda n: f"{n:,}".replace(",", ".")),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.text(alphabet=DIGITS + FOREIGN_DIGITS + ".,-+ eE€_", max_size=40),
    st.integers(min_value=16, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(["1e999", "-0", "0x10", "١٢٣", "１２３", "1.000,50", "€ 5.000", "12,5%"]),
).filter(harmless)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.sampled_from(["2026-02-30", "0000-00-00", "31-12-99999", "morgen", "2026-13-01"]),
    texts,
)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # number, date, choice, text, flag
    options: tuple[str, ...] = ()


def fields_of(html: str) -> list[Field]:
    """The fields of the task's own form, as the page offers them."""
    page = lxml.html.fromstring(html)
    forms = page.xpath("//form[contains(@class, 'task-form')]")
    if not forms:
        return []
    found: dict[str, Field] = {}
    for element in forms[0].iter("input", "select", "textarea"):
        name = element.get("name")
        if not name or name in ("csrf_token", "action") or element.get("type") == "hidden":
            continue
        kind, options = "text", ()
        if element.tag == "select":
            kind = "choice"
            options = tuple(o.get("value", "") for o in element.iter("option"))
        elif element.get("type") in ("radio", "checkbox"):
            kind = "choice" if element.get("value") != "true" else "flag"
            before = found.get(name)
            options = (before.options if before else ()) + (element.get("value", ""),)
        elif element.get("inputmode") in ("numeric", "decimal"):
            kind = "number"
        elif element.get("type") == "date":
            kind = "date"
        found[name] = Field(name, kind, options)
    return list(found.values())


def value_for(field: Field) -> st.SearchStrategy[Any]:
    """One field's generated value: mostly of its kind, sometimes anything; sometimes several."""
    own = {
        "number": numbers,
        "date": dates,
        "choice": st.one_of(st.sampled_from(field.options or ("",)), texts),
        "flag": st.sampled_from(["true", "false", "on", "ja", "", "2"]),
        "text": st.one_of(texts, st.integers(10_000, 100_000).map(lambda n: "x" * n)),
    }[field.kind]
    single = st.one_of(own, own, own, texts, numbers)
    return st.one_of(single, single, st.lists(single, min_size=2, max_size=3))


def form_values(fields: list[Field]) -> st.SearchStrategy[dict[str, Any]]:
    """A whole post: each field present or not, a few unknown ones, finish or draft."""
    return st.fixed_dictionaries(
        {"action": st.sampled_from(["complete", "complete", "draft", "opslaan"])},
        optional={f.name: value_for(f) for f in fields},
    ).flatmap(
        lambda chosen: st.dictionaries(
            st.text(min_size=1, max_size=30).filter(harmless), texts, max_size=3
        ).map(lambda extra: {**extra, **chosen})
    )


# ------------------------------------------------------------------ what every answer must be


def readable(response: Any, what: str) -> None:
    """No 5xx, and no text a person should never read (textareas hold what was typed)."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if "html" not in (response.content_type or ""):
        return
    html = re.sub(r"(<textarea[^>]*>).*?(</textarea>)", r"\1\2", response.text, flags=re.S)
    for shown in visible_texts(html):
        text = EMAIL.sub("", shown)  # an address may well start with a user name
        for pattern in BAD:
            found = pattern.search(text)
            assert found is None, f"{what}: {found.group(0)!r} in {text[:300]!r}"


# ------------------------------------------------------------------ the simulation that fuzzes


class FuzzingSimulation(Simulation):
    """Before a form's first task is completed, `fuzz` gets it (holding it, as a colleague)."""

    def __init__(self, *args: Any, fuzz: Callable[[HumanTask], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fuzz, self.forms_seen = fuzz, set[str]()

    def _on_complete(self, task: HumanTask) -> None:
        open_now = self.engine.list_tasks(instance_id=task.instance_id)
        if task.bpmn_id not in self.forms_seen and any(t.id == task.id for t in open_now):
            # (a task a timer or a withdrawal closed first is skipped: the next one is fuzzed)
            self.forms_seen.add(task.bpmn_id)
            holder = task.assignee
            engine = self.engine
            engine.reassign_task(task.id, FUZZER, "test")
            self.fuzz(task)
            still_open = engine.list_tasks(instance_id=task.instance_id)
            if any(t.id == task.id for t in still_open):
                if holder is None:
                    engine.release_task(task.id, "test")
                else:
                    engine.reassign_task(task.id, holder, "test")
            else:  # a generated post was a valid one: the case went on; plan what it opened
                self._schedule(engine.list_tasks(limit=100_000))
                return
        super()._on_complete(task)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A year simulated through the live app, every form's first task fuzzed on the way."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    end = datetime.now(UTC)
    start = add_months(end, -MONTHS).replace(hour=8, minute=0, second=0, microsecond=0)
    clock = ManualClock(start)
    app = make_app(f"sqlite:///{path}", clock)
    engine = engine_of(app)
    demo.ensure_demo_users(engine)  # the demo's colleagues do the simulated work
    staff = Staff(staff_of(engine))
    add_user(app, FUZZER, *sorted(LANE_ROLES - {"initiatiefnemer"}), teams=ASPECT_TEAMS)
    client = app.test_client()
    assert login(client, FUZZER).status_code == 302
    posts: dict[str, int] = {}
    answers: Counter[int | str] = Counter()
    fields_by_form: dict[str, list[str]] = {}

    def fuzz(task: HumanTask) -> None:
        url = f"/taken/{task.id}"
        page = client.get(url)
        readable(page, url)
        fields = fields_of(page.text)
        fields_by_form[task.bpmn_id] = [f.name for f in fields]

        @FUZZ
        @given(values=form_values(fields))
        def one(values: dict[str, Any]) -> None:
            response = post(client, url, values, follow_redirects=True)
            readable(response, f"{task.bpmn_id} {values}")
            posts[task.bpmn_id] = posts.get(task.bpmn_id, 0) + 1
            answers[response.status_code] += 1
            if "Controleer het formulier" in response.text:
                answers["field messages"] += 1

        one()

    simulation = FuzzingSimulation(
        engine, profiles(clock, staff), start, MONTHS, seed=3, staff=staff, fuzz=fuzz
    )
    # above € 20.000 the initiator accounts for the grant: rare in a simulated year, so one case
    # is driven there first, while the fund is full (as colleagues would), and its two
    # accountability forms and a change request on the way are fuzzed too
    d = to_decision(app, clock, start_complex(app, 99001, requested_amount=25000), 25000)
    held = d.data()["application"]["amount"]  # what the fund could still reserve for it
    d.do("decide_subsidy", {"decision": "VERLENEN", "granted_amount": held})
    pay(d)
    d.do("record_agreements", {"agreements_summary": "Afspraken over onderhoud."})
    # a change request during the realisation comes when it comes: one is sent here
    engine.send_message("change_requested", {"text": "Een week later."}, instance_id=d.id)
    (task,) = d.open_tasks("assess_change_request")
    engine.reassign_task(task.id, FUZZER, "test")
    fuzz(task)
    if d.open_tasks("assess_change_request"):
        d.do("assess_change_request", {"change_decision": "AKKOORD", "change_motivation": "Ja."})
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Klaar."},
    )
    for bpmn_id, answer in (
        ("submit_accountability", {"accountability_report": "Verslag", "actual_costs": held}),
        ("assess_accountability", {"accountability_approved": True, "settled_amount": held}),
    ):
        (task,) = d.open_tasks(bpmn_id)
        engine.reassign_task(task.id, FUZZER, "test")
        fuzz(task)
        if d.open_tasks(bpmn_id):
            d.do(bpmn_id, answer)
    report = simulation.run()
    # a wish beyond the meeting calendar (it ends in 2028): the secretariaat plans the meeting
    wish = engine.start(
        "wijkwens_process",
        {
            "initiator_name": "Fatima el Amrani",
            "initiator_email": "fatima@example.nl",
            "wijk": "Sterrenburg",
            "title": "Buurtfeest in 2029",
            "description": "Een buurtfeest.",
            "requested_amount": 600,
            "submitted_on": "2029-01-08",
            "is_public_space_wish": False,
        },
        business_key="WW-2029-9003",
    )
    (check,) = engine.list_tasks(instance_id=wish.id)
    admitted = {"admissibility": "admissible", "is_public_space_wish": False, "has_support": True}
    engine.complete_task(check.id, admitted, actor="test", lanes=[check.lane])
    (task,) = engine.list_tasks(instance_id=wish.id)
    assert task.bpmn_id == "wijkwens_plan_meeting"
    engine.reassign_task(task.id, FUZZER, "test")
    fuzz(task)
    # a plan adjustment is asked for in few cases: one is driven there too
    d = to_assessment(app, clock, start_complex(app, 9002))
    assess_all(d)
    advise(d, "HAALBAAR_MET_AANPASSINGEN")
    (task,) = d.open_tasks("adjust_plan")
    fuzz(task)
    try:
        yield app, client, report, posts, fields_by_form, answers
    finally:
        engine.dispose()


@pytest.mark.timeout(1200)  # the module's year of cases and its posts are made in this test
def test_every_task_form_answers_generated_values_in_dutch(fuzzed: Any) -> None:
    _app, _client, report, posts, fields_by_form, answers = fuzzed
    forms = user_task_forms()
    reached = {bpmn_id for bpmn_id in posts}
    assert report.tasks_completed > 100  # the year ran on after the fuzzing
    assert reached == forms, sorted(forms ^ reached)  # every user task of bpmn/
    assert all(n >= min(EXAMPLES, 5) for n in posts.values()), posts
    assert sum(len(names) for names in fields_by_form.values()) > 50  # forms with their fields
    # the forms were really checked: hundreds of posts were refused, each with its messages;
    # drafts were kept (200 after the redirect); a post to a task a valid one finished is 409
    assert answers[422] > 100, answers
    assert answers["field messages"] == answers[422], answers
    assert answers[200], answers
    assert answers[409], answers


def test_the_checks_see_what_a_person_should_not_read() -> None:
    """The checks themselves: an English library message, a code, a 500 are found."""

    @dataclass
    class Answer:
        status_code: int
        text: str
        content_type: str = "text/html; charset=utf-8"

    page = "<html><body><main><p>{}</p></main></body></html>"
    readable(Answer(422, page.format("Vul een bedrag in.")), "Dutch")
    for shown in ("'abc' is not of type 'number'", "POSITIEF_MET_VOORWAARDEN", "True"):
        with pytest.raises(AssertionError):
            readable(Answer(422, page.format(shown)), shown)
    with pytest.raises(AssertionError):
        readable(Answer(500, page.format("Er ging iets mis.")), "500")


def user_task_forms() -> set[str]:
    """Every user task of bpmn/ (their BPMN ids), read from the diagrams."""
    ids: set[str] = set()
    for diagram in bootstrap.BPMN_DIR.rglob("*.bpmn"):
        root = etree.parse(str(diagram), etree.XMLParser(resolve_entities=False, no_network=True))
        ids |= {
            str(e.get("id"))
            for e in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")
        }
    return ids


def test_notes_and_uploads_answer_generated_input_in_dutch(fuzzed: Any) -> None:
    app, client, *_ = fuzzed
    case = engine_of(app).list_instances(limit=1)[0].id
    notes_url, upload_url = f"/initiatieven/{case}/notities", f"/initiatieven/{case}/documenten"

    @FUZZ
    @given(body=st.one_of(texts, st.integers(100_000, 300_000).map(lambda n: "x" * n), st.just("")))
    def note(body: str) -> None:
        readable(post(client, notes_url, {"body": body}, follow_redirects=True), "notitie")

    @FUZZ
    @given(
        name=st.one_of(
            st.text(max_size=300).filter(harmless),
            st.sampled_from(["", ".", "../../etc/passwd", "a.docx", "b.PDF", "c.xlsx", "d.exe"]),
            st.tuples(texts, st.sampled_from([".pdf", ".docx", ".odt", ".png", ".jpg"])).map(
                "".join
            ),
        ),
        content=st.one_of(
            st.binary(max_size=3000),
            st.sampled_from([b"%PDF-1.4\n%%EOF", b"PK\x03\x04" + b"\0" * 26, b"\x89PNG\r\n"]),
        ),
    )
    def upload(name: str, content: bytes) -> None:
        response = post(
            client,
            upload_url,
            {"document": (BytesIO(content), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        readable(response, f"upload {name!r}")

    note()
    upload()


def test_the_public_intake_answers_generated_values_in_dutch(fuzzed: Any) -> None:
    """The intake form of an initiator without an account, fuzzed the same way."""
    app, *_ = fuzzed
    app.config["INTAKE_MIN_SECONDS"] = 0  # hypothesis is faster than a person
    client = app.test_client()  # nobody logged in
    page = client.get("/initiatief")
    readable(page, "/initiatief")
    fields = fields_of(page.text)
    assert {f.name for f in fields} >= {"title", "requested_amount", "consent_privacy"}
    stamp = page.text.split('name="t" value="', 1)[1].split('"', 1)[0]
    answers: Counter[int] = Counter()

    @FUZZ
    @given(values=form_values(fields))
    def one(values: dict[str, Any]) -> None:
        values.pop("action", None)
        response = post(client, "/initiatief", {**values, "t": stamp})
        readable(response, f"intake {values}")
        answers[response.status_code] += 1

    one()
    assert answers[422] > 0, answers  # refused with field messages, never a 5xx


def test_the_initiators_answer_form_answers_generated_values_in_dutch(fuzzed: Any) -> None:
    """A request to the initiator, answered on their status page with generated values."""
    app, *_ = fuzzed
    engine = engine_of(app)
    case = start_complex(app, 9100)
    intake(driver(app, engine.clock, case), complete=False)  # type: ignore[arg-type]
    (asked,) = [t for t in engine.list_tasks(instance_id=case) if t.lane == "initiatiefnemer"]
    token = status_links.token_for(engine, status_links.Links("fuzz"), case)
    url = f"/status/{token}/vraag/{asked.id}"
    client = app.test_client()  # nobody logged in
    page = client.get(url)
    readable(page, url)
    fields = fields_of(page.text)
    assert fields
    answers: Counter[int] = Counter()

    @FUZZ
    @given(values=form_values(fields))
    def one(values: dict[str, Any]) -> None:
        values.pop("action", None)
        response = post(client, url, values, follow_redirects=True)
        readable(response, f"answer {values}")
        answers[response.status_code] += 1

    one()
    assert answers[422] > 0, answers
