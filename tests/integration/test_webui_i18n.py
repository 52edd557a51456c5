"""The interface speaks Dutch first, and English when asked; every interface text has a translation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask, render_template_string

from engine import Engine, EngineSettings, ManualClock
from tests.webapp import csrf_token, engine_of, make_app
from workflows import contacts, forms, initiatives, phases, status_links
from workflows.bootstrap import MIGRATIONS
from workflows.places import GEBIED_OF

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "webui" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
#: the processes' own texts (kept by hand: `pybabel extract` cannot see them)
PROCESS_TEXTS = CATALOG.with_name("processes.po")
METHODS = [("webui/**.py", "python"), ("webui/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The web app on a new, migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'i18n.db'}"
    Engine(EngineSettings(database_url=url)).upgrade_schema(MIGRATIONS)
    made = make_app(url, ManualClock())
    yield made
    engine_of(made).dispose()


def test_every_interface_text_has_an_english_translation() -> None:
    found = {
        (msg if isinstance(msg, str) else msg[0])
        for _file, _line, msg, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS
        )
    }
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and not m.fuzzy  # a fuzzy translation is not used
        and (m.string if isinstance(m.string, str) else all(m.string))
    }
    assert len(found) > 100
    missing = sorted(found - translated)
    assert not missing, (
        "untranslated interface texts; run `pybabel extract -F babel.cfg -k _ -k gettext "
        "-k ngettext:1,2 -o webui/translations/messages.pot . && pybabel update -i "
        "webui/translations/messages.pot -d webui/translations` and translate: " + repr(missing)
    )


def test_the_login_page_is_dutch_first_and_english_on_request(app: Flask) -> None:
    client = app.test_client()
    dutch = client.get("/inloggen")
    assert '<html lang="nl">' in dutch.text
    assert "Gebruikersnaam" in dutch.text
    switched = client.post(
        "/taal",
        data={"lang": "en", "next": "/inloggen", "csrf_token": csrf_token(client, "/inloggen")},
    )
    assert switched.status_code == 302
    english = client.get("/inloggen")
    assert '<html lang="en">' in english.text
    assert "Username" in english.text
    assert "Gebruikersnaam" not in english.text
    browser_pref = app.test_client().get("/inloggen", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Username" in browser_pref.text


def test_the_log_in_reminder_speaks_the_visitors_language(app: Flask) -> None:
    """A page that needs a login sends the visitor to the login page with a reminder: Dutch
    for a Dutch browser, English for an English one (it was Dutch on the English page)."""
    for language, reminder, other in (
        ("nl-NL,nl;q=0.9", "Log in om verder te gaan.", "Please log in to continue."),
        ("en-GB,en;q=0.9", "Please log in to continue.", "Log in om verder te gaan."),
    ):
        client = app.test_client()
        headers = {"Accept-Language": language}
        assert client.get("/taken/mijn", headers=headers).status_code == 302
        page = client.get("/inloggen", headers=headers).text
        assert reminder in page
        assert other not in page


def test_every_text_of_the_processes_an_initiator_reads_has_an_english_translation() -> None:
    """The status page and the lists translate what they show from the processes (phases and
    their texts, the diagrams' phase and waiting texts, the desks, the decisions, the outcomes,
    categories, routes and statuses): each has its English in a catalog, so a new or changed
    one fails here."""
    texts: list[str] = []
    for phase in phases.PHASES:
        texts += [phase.label, phase.text]
    for diagram in sorted((ROOT / "bpmn").rglob("*.bpmn")):
        texts += re.findall(
            r'name="(?:phase_text|initiator_text)" value="([^"]*)"', diagram.read_text()
        )
    texts += list(contacts.DESKS.values()) + list(status_links.DECISION_TEXTS.values())
    labels = json.loads((ROOT / "bpmn" / "labels.json").read_text(encoding="utf-8"))
    texts += list(labels["outcome"].values()) + list(labels["category"].values())
    texts += list(initiatives.PROCESS_LABELS.values()) + list(initiatives.STATUS_LABELS.values())
    texts += _intake_texts() + _form_messages() + _initiator_form_texts()
    translated: set[str] = set()
    for catalog in (PROCESS_TEXTS, CATALOG):  # the filter reads both, in this order
        with catalog.open("rb") as source:
            translated |= {m.id for m in read_po(source) if m.id and m.string and not m.fuzzy}
    assert len(texts) > 40
    missing = sorted({t for t in texts if t not in translated})
    assert not missing, missing


def test_a_text_from_a_diagram_is_translated_but_never_read_as_a_format(app: Flask) -> None:
    """A process owner's own text may hold a per cent sign; it is shown as written."""
    template = "{{ a|translated }} / {{ b|translated }}"
    texts = {"a": "Beoordeling", "b": "Wij betalen 100% (of 50 %(deel)s) uit."}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(template, **texts) == (
            "Assessment / Wij betalen 100% (of 50 %(deel)s) uit."
        )
        decision = "{{ d|translated|format(money=m) }}"
        said = render_template_string(
            decision, d="De gemeente verleent u subsidie: %(money)s.", m="€ 5.000,00"
        )
        assert said == "The municipality grants you a subsidy: € 5.000,00."
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert render_template_string(template, **texts).startswith("Beoordeling / ")


def _intake_texts() -> list[str]:
    """The public intake form's own texts (title, hints, choices), district names aside."""
    schema = ROOT / "bpmn" / "complex_initiative" / "forms" / "intake.schema.json"
    return [t for t in _schema_texts(schema) if t not in GEBIED_OF]


def _initiator_form_texts() -> list[str]:
    """The texts of every form of a user task in a diagram's initiator lane (the forms an
    initiator fills in on the status page), found from the diagrams: a new one is included."""
    from lxml import etree

    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    found: list[str] = []
    forms_seen = 0
    for diagram in sorted((ROOT / "bpmn").rglob("*.bpmn")):
        root = etree.parse(str(diagram)).getroot()
        theirs = {
            ref.text
            for lane in root.iter(f"{bpmn}lane")
            if lane.get("name", "").lower().startswith("initiatiefnemer")
            for ref in lane.iter(f"{bpmn}flowNodeRef")
        }
        for task in root.iter(f"{bpmn}userTask"):
            if task.get("id") not in theirs:
                continue
            found.append(task.get("name") or "")  # its title on the status page
            text = etree.tostring(task, encoding="unicode")
            name = re.search(r'formJsonSchemaFilename"? value="([^"]+)"', text)
            assert name is not None, f"{task.get('id')}: an initiator task without a form"
            found += _schema_texts(diagram.parent / "forms" / name.group(1))
            forms_seen += 1
    assert forms_seen >= 8
    return found


def _schema_texts(schema: Path) -> list[str]:
    """A form schema's texts: titles, descriptions and its own error messages."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            found.extend(
                v for k, v in node.items() if k in ("title", "description") and isinstance(v, str)
            )
            own = node.get("errorMessage")
            if isinstance(own, dict):
                found.extend(v for v in own.values() if isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(schema.read_text(encoding="utf-8")))
    return found


def test_in_english_the_intake_form_asks_in_english(app: Flask) -> None:
    """The public intake form's questions, hints and choices come from its schema in Dutch;
    an English visitor reads them in English (district names stay as they are)."""
    page = app.test_client().get("/initiatief", headers={"Accept-Language": "en"}).text
    for english in (
        "I have an initiative",
        "What is your initiative called?",
        "My street",
        "Group of residents",
        "Your e-mail address",
    ):
        assert english in page, english
    for dutch in ("Hoe heet uw initiatief?", "Mijn straat", "Groep bewoners"):
        assert dutch not in page, dutch
    assert "Zuidhoven" in page  # a name, not translated
    assert "Hoe heet uw initiatief?" in app.test_client().get("/initiatief").text
    app.config["INTAKE_MIN_SECONDS"] = 0  # no waiting for a person's pace here
    client = app.test_client()
    form = client.get("/initiatief", headers={"Accept-Language": "en"}).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    stamp = re.search(r'name="t" value="([^"]+)"', form)
    assert token is not None
    assert stamp is not None
    sent = {"csrf_token": token.group(1), "t": stamp.group(1), "requested_amount": "abc"}
    refused = client.post("/initiatief", data=sent, headers={"Accept-Language": "en"}).text
    assert "Fill in this field." in refused
    assert "Fill in an amount, for example 1.234,56." in refused
    assert "Without your permission we cannot handle your initiative." in refused
    assert "Vul dit veld in." not in refused


def _form_messages() -> list[str]:
    """The fixed messages of the forms' validation (those with a number in them are not)."""
    fixed = [v for k, v in vars(forms).items() if k.startswith("MSG_") and isinstance(v, str)]
    return fixed + list(forms.MSG_TYPE.values()) + list(forms.MSG_FORMAT.values())
