"""axe-core on every kind of page, with real content: no serious or critical violations.

axe-core comes from npm (node_modules/axe-core, installed by `make install`), never from a CDN.
Playwright injects it as an inline script; the app's Content-Security-Policy rightly forbids
inline scripts, so these contexts bypass CSP (only here; the flows run with it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import IN_CI, LiveServer, serve
from tests.webapp import (
    ASPECT_TEAMS,
    add_user,
    engine_of,
    login,
    post,
    start_complex,
    task_ids,
    to_assessment,
)
from workflows import status_links

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
USER = "carla"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.is_file():
        reason = f"axe-core not installed at {AXE}: run make install (npm ci)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return AXE


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: cases in several states, a worker with rows in both tabs."""
    with serve(tmp_path_factory.mktemp("a11y")) as server:
        app, clock = server.app, server.clock
        first = start_complex(app, 1)
        to_assessment(app, clock, first)
        add_user(
            app,
            USER,
            "casist",
            "vakspecialist",
            "initiatieventeam",
            "teamleider",
            teams=ASPECT_TEAMS,
        )
        add_user(app, "victor", "vakspecialist", teams=ASPECT_TEAMS)
        client = app.test_client()
        login(client, USER)
        aspects = task_ids(client.get("/taken/team").text)
        post(client, f"/taken/{aspects[0]}/oppakken")  # a row in Mijn taken
        victor = app.test_client()
        login(victor, "victor")
        post(victor, f"/taken/{aspects[1]}/oppakken")  # a row someone else holds
        clock.advance(timedelta(days=15))  # the aspects are now overdue
        start_complex(app, 2)  # a fresh case: its intake task is due later
        yield server


@pytest.fixture
def live_server(shared_server: LiveServer) -> LiveServer:
    """The module's shared server (so `log_in` uses it)."""
    return shared_server


def check(page: Page, axe_script: Path, what: str) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; fail on serious or critical violations."""
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    report = describe(violations)
    print(f"\naxe on {what}: {len(violations)} violation(s)\n{report}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe found serious/critical violations on {what}:\n{describe(blocking)}"
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


def test_login_page(page: Page, live_server: LiveServer, axe_script: Path) -> None:
    page.goto(live_server.url("/inloggen"))
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    check(page, axe_script, "the login page")
    page.get_by_label("Gebruikersnaam").fill(USER)
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Inloggen is niet gelukt")
    check(page, axe_script, "the login page with its error")


@pytest.mark.parametrize(
    ("path", "heading"), [("/taken/mijn", "Mijn taken"), ("/taken/team", "Taken van mijn team")]
)
def test_worklist(
    page: Page,
    live_server: LiveServer,
    log_in: Callable[[str], None],
    axe_script: Path,
    path: str,
    heading: str,
) -> None:
    log_in(USER)
    page.goto(live_server.url(path))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("table.worklist tbody tr").first).to_be_visible()
    if path.endswith("team"):
        expect(page.locator("table.worklist tbody tr.overdue").first).to_be_visible()
    check(page, axe_script, heading)


def test_task_form_and_its_error_state(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None], axe_script: Path
) -> None:
    log_in(USER)
    page.goto(live_server.url("/taken/mijn"))
    page.locator("table.worklist tbody tr").first.get_by_role(
        "link", name="Aspect beoordelen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aspect beoordelen")
    expect(page.get_by_label("Toewijzen aan")).to_be_visible()  # the team lead's reassign
    check(page, axe_script, "the task form")
    page.get_by_role("button", name="Afronden").click()
    expect(page.locator("#error-summary")).to_be_focused()
    check(page, axe_script, "the task form with errors")


def test_initiative_page_with_its_diagram(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None], axe_script: Path
) -> None:
    log_in(USER)
    page.goto(live_server.url("/initiatieven/1"))
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=15_000)
    expect(page.locator("tr[data-aspect]").first).to_be_visible()
    # The drawn SVG takes keyboard focus (arrow keys pan), so it carries a role and a name.
    diagram = page.locator("#bpmn-canvas svg[role=img]").first
    expect(diagram).to_have_attribute(
        "aria-label", "Procesdiagram met de afgelegde weg en de huidige positie gemarkeerd"
    )
    expect(page.get_by_role("group", name="Diagram")).to_be_visible()
    check(page, axe_script, "the initiative page")


def test_all_initiatives(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None], axe_script: Path
) -> None:
    log_in(USER)
    page.goto(live_server.url("/initiatieven"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alle initiatieven")
    expect(page.locator("table.initiatives tbody tr")).to_have_count(2)
    check(page, axe_script, "Alle initiatieven")


def test_the_initiators_status_page_on_a_phone(
    page: Page, live_server: LiveServer, axe_script: Path
) -> None:
    """The public page behind the private link: no login, phone-sized, no serious violation."""
    engine = engine_of(live_server.app)
    case = engine.list_instances(limit=50)[-1].id  # the case in its assessments
    token = status_links.token_for(engine, status_links.Links("a11y"), case)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url(f"/status/{token}"))
    expect(page.get_by_role("heading", level=2, name="Nu: Beoordeling")).to_be_visible()
    expect(page.get_by_text("Uw contactpersoon")).to_be_visible()
    check(page, axe_script, "the status page")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing sideways on a phone
