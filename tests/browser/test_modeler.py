"""The process owner in the browser: change a norm and rename a task in the modeler's
properties panel, check, see the diff, deploy, and move an older case to the new version; a
flawed draft shows each finding on its element and cannot be deployed, exactly as
`wegwijs deploy` refuses it; a form schema edited in the browser changes the live preview."""

from __future__ import annotations

import os
import random
import re
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.conftest import FIXTURES
from tests.integration.test_cli import WEGWIJS
from tests.webapp import add_user
from workflows.simulation import complex_start

COMPLEX = "complex_initiative_process"
FLAWED = FIXTURES / "modeler" / "flawed_draft.bpmn"


def _start_case(server: LiveServer, number: int) -> int:
    summary = server.engine.start(
        COMPLEX, complex_start(random.Random(number), number), business_key=f"INI-{number}"
    )
    return summary.id


def _plan_intake(server: LiveServer, instance_id: int) -> Any:
    [task] = [t for t in server.engine.list_tasks(instance_id=instance_id)]
    assert task.bpmn_id == "plan_intake"
    return task


def _select(page: Any, element_id: str) -> None:
    """Select an element of the diagram, as a click on it would."""
    page.evaluate(
        """(id) => { const m = window.wegwijsModeler;
           m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        element_id,
    )


def _open_group(page: Any, label: str) -> None:
    header = page.locator(".bio-properties-panel-group-header", has_text=label).first
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def test_the_process_owner_changes_a_norm_and_a_name_checks_deploys_and_moves_an_older_case(
    page: Any, live_server: LiveServer, log_in: Any
) -> None:
    add_user(live_server.app, "petra", "procesbeheerder")
    older = _start_case(live_server, 1)
    old_task = _plan_intake(live_server, older)
    log_in("petra")

    page.goto(live_server.url("/procesbeheer"))
    card = page.locator(f'[data-process="{COMPLEX}"]')
    expect(card.locator('tr[data-version="1"] td.running')).to_have_text("1")
    card.get_by_role("button", name="Concept maken").click()
    expect(page.locator("#modeler")).to_have_attribute("data-loaded", "true", timeout=20_000)

    _select(page, "plan_intake")
    _open_group(page, "Algemeen")
    name = page.get_by_label("Naam", exact=True)
    name.fill("Kennismaking inplannen")
    _open_group(page, "Wegwijs")
    norm = page.get_by_label("Doorlooptijdnorm")
    expect(norm).to_have_value("5 werkdagen")
    norm.fill("3 werkdagen")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)

    page.get_by_role("link", name="Controleren").click()
    findings = page.locator(".findings")
    expect(findings).to_have_attribute("data-errors", "0")
    expect(page.get_by_text("Geen fouten")).to_be_visible()

    page.get_by_role("link", name="Vergelijken met versie in gebruik").click()
    change = page.locator('.change[data-element="plan_intake"]')
    expect(change).to_contain_text(
        "naam: 'Kennismakingsgesprek plannen' → 'Kennismaking inplannen'"
    )
    expect(change).to_contain_text("eigenschap norm: '5 werkdagen' → '3 werkdagen'")
    expect(page.locator("#modeler")).to_have_attribute("data-loaded", "true", timeout=20_000)
    marked = page.locator('g.djs-element.diff-changed[data-element-id="plan_intake"]')
    expect(marked).to_have_count(1)

    page.get_by_role("button", name="In gebruik nemen").click()
    expect(page.get_by_text("versie 2 is in gebruik")).to_be_visible()

    newer = _start_case(live_server, 2)
    new_task = _plan_intake(live_server, newer)
    assert new_task.title == "Kennismaking inplannen"
    assert new_task.properties["norm"] == "3 werkdagen"
    assert new_task.due_at is not None
    assert old_task.due_at is not None
    assert new_task.due_at < old_task.due_at  # 3 working days instead of 5, from one moment
    kept = _plan_intake(live_server, older)
    assert (kept.title, kept.properties["norm"]) == ("Kennismakingsgesprek plannen", "5 werkdagen")
    assert live_server.engine.get_instance(older).summary.version == 1

    row = page.locator(f'tr[data-instance="{older}"]')
    row.get_by_role("link", name="Overzetten…").click()
    precheck = page.locator(".precheck")
    expect(precheck).to_have_attribute("data-allowed", "true")
    expect(precheck).to_contain_text("versie 1 → versie 2")
    expect(precheck).to_contain_text("eigenschap norm: '5 werkdagen' → '3 werkdagen'")
    page.get_by_role("button", name="Overzetten naar versie 2").click()
    expect(page.get_by_text(f"Zaak {older} staat nu op versie 2")).to_be_visible()
    expect(page.get_by_role("button", name="Terugzetten naar versie 1")).to_be_visible()

    moved = _plan_intake(live_server, older)
    assert moved.id == old_task.id  # the same task, still open, still where the case stood
    assert (moved.title, moved.properties["norm"]) == ("Kennismaking inplannen", "3 werkdagen")
    assert live_server.engine.get_instance(older).summary.version == 2
    kinds = [e.type for e in live_server.engine.events(older)]
    assert "instance_migrated" in kinds
    audited = {e.type for e in live_server.engine.events()}
    assert {"draft_created", "draft_saved", "version_deployed"} <= audited


def _cli_findings(database_url: str, tmp_path: Path) -> set[tuple[str, str]]:
    env = {**os.environ, "WEGWIJS_DATABASE_URL": database_url}
    env.pop("WEGWIJS_DEBUG", None)
    result = subprocess.run(
        [WEGWIJS, "deploy", str(FLAWED), "--user", "petra"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    found = re.findall(r"element '([^']+)': (.*)", result.stderr)
    return {(element, message.strip()) for element, message in found}


def test_a_flawed_draft_shows_each_finding_on_its_element_and_is_refused_as_by_the_cli(
    page: Any, live_server: LiveServer, log_in: Any, tmp_path: Path
) -> None:
    add_user(live_server.app, "petra", "procesbeheerder")
    log_in("petra")
    page.goto(live_server.url("/procesbeheer"))
    page.get_by_label("Bestanden").set_input_files(str(FLAWED))
    page.get_by_role("button", name="Importeren en controleren").click()
    expect(page.locator("#modeler")).to_have_attribute("data-loaded", "true", timeout=20_000)

    errors = page.locator("li.finding-error")
    by_element = {
        (item.get_attribute("data-element") or "", item.locator(".message").inner_text().strip())
        for item in errors.all()
    }
    elements = {element for element, _ in by_element}
    assert {"review_without_form", "choose_route", "run_os_script"} <= elements
    messages = " ".join(message for _, message in by_element)
    assert "geen formulier" in messages
    assert "geen standaardpad" in messages
    assert "'import' is niet toegestaan" in messages
    for element in ("review_without_form", "choose_route", "run_os_script"):
        marked = page.locator(f'g.djs-element.finding-error[data-element-id="{element}"]')
        expect(marked).to_have_count(1)

    page.get_by_role("button", name="In gebruik nemen").click()
    expect(page.locator(".findings")).to_have_attribute("data-errors", str(len(by_element)))
    assert live_server.engine.list_processes()
    assert not [p for p in live_server.engine.list_processes() if p.process_id == "flawed_process"]
    assert not Path("/tmp/wegwijs_pwned").exists()

    database_url = str(live_server.engine.db.url.render_as_string(hide_password=False))
    assert _cli_findings(database_url, tmp_path) == by_element


def test_editing_a_form_schema_changes_the_live_preview(
    page: Any, live_server: LiveServer, log_in: Any
) -> None:
    add_user(live_server.app, "petra", "procesbeheerder")
    log_in("petra")
    page.goto(live_server.url("/procesbeheer"))
    page.locator('[data-process="wijkwens_process"]').get_by_role(
        "button", name="Concept maken"
    ).click()
    expect(page.locator("#modeler")).to_have_attribute("data-loaded", "true", timeout=20_000)
    page.get_by_role("link", name="wijkwens_decide.schema.json").click()

    preview = page.locator("#form-preview")
    expect(preview.get_by_label("Motivering")).to_be_visible()
    expect(preview.locator(".preview-rules")).to_contain_text(
        "Als 'Besluit' 'Toekennen' is: 'Toegekend bedrag' is verplicht;"
    )
    source = page.get_by_label("JSON Schema")
    text = source.input_value()
    source.fill(text.replace('"title": "Motivering"', '"title": "Toelichting op het besluit"'))
    expect(preview.get_by_label("Toelichting op het besluit")).to_be_visible()
    expect(preview.get_by_label("Motivering")).to_have_count(0)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen")


def test_a_decision_table_opens_in_dmn_js_and_saves_back_into_a_draft_that_still_checks(
    page: Any, live_server: LiveServer, log_in: Any
) -> None:
    add_user(live_server.app, "petra", "procesbeheerder")
    log_in("petra")
    page.goto(live_server.url("/procesbeheer"))
    page.locator(f'[data-process="{COMPLEX}"]').get_by_role("button", name="Concept maken").click()
    expect(page.locator("#modeler")).to_have_attribute("data-loaded", "true", timeout=20_000)
    page.get_by_role("link", name="complex_initiative/dmn_fund_eligibility.dmn").click()
    expect(page.locator("#dmn-editor")).to_have_attribute("data-loaded", "true", timeout=20_000)
    expect(page.locator("#dmn-editor")).to_contain_text("Fondstoets initiatievenfonds")
    page.evaluate(
        "() => window.wegwijsDmn.getActiveViewer().get('eventBus')"
        ".fire('elements.changed', { elements: [] })"
    )
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen", timeout=15_000)
    page.go_back()
    page.get_by_role("link", name="Controleren").click()
    expect(page.locator(".findings")).to_have_attribute("data-errors", "0")
