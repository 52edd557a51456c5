"""A casist's day in the real browser: log in, take an aspect from the team queue, get the form
wrong, then right (partly by keyboard), and see the case move on — diagram included."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import LiveServer, outside_localhost
from tests.webapp import add_user, start_complex, to_assessment

ASPECT_TASK = "assess_aspect"


def test_a_casist_assesses_the_organisatiekracht_of_her_own_case(
    page: Page,
    live_server: LiveServer,
    log_in: Callable[[str], None],
    requests_seen: list[str],
) -> None:
    # organisatiekracht and draagvlak are assessed by the case's casist: someone with only
    # the casist role, who finds them in Mijn taken the moment they open
    add_user(live_server.app, "carla", "casist")
    instance_id = start_complex(live_server.app, 1)
    to_assessment(live_server.app, live_server.clock, instance_id, casist="carla")
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: _note_console_error(msg, problems))

    log_in("carla")
    expect(page).to_have_url(live_server.url("/taken/mijn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn taken")
    aspect_rows = page.locator("table.worklist tbody tr").filter(has_text="Aspect beoordelen")
    expect(aspect_rows).to_have_count(2)
    mine = aspect_rows.first
    task_id = mine.get_attribute("data-task-id")
    assert task_id
    context = mine.locator("td").nth(1).locator(".muted").inner_text()
    assert re.search("Organisatiekracht|Draagvlak", context), context

    # The initiative page: the diagram renders with the task marked, the aspect is still open.
    mine.get_by_role("link", name=re.compile("Buurtmoestuin")).click()
    expect(page).to_have_url(live_server.url(f"/initiatieven/{instance_id}?van=mine"))
    expect(page.locator(".breadcrumb")).to_contain_text("Mijn taken")  # back where I came from
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=15_000)
    assert page.locator("#bpmn-canvas svg .djs-element").count() > 20
    marked = page.locator(f'.djs-element.current-position[data-element-id="{ASPECT_TASK}"]')
    expect(marked).to_have_count(1)
    fill = marked.locator(".djs-visual > :first-child").evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(253, 230, 138)", fill  # the calm yellow from wegwijs.css
    board_row = page.locator(f'tr[data-aspect]:has(a[href^="/taken/{task_id}"])')
    expect(board_row).to_have_attribute("data-state", "open")
    aspect = board_row.get_attribute("data-aspect")
    assert aspect
    aspect_label = board_row.get_by_role("link").inner_text()
    assert "_" not in aspect_label, aspect_label
    assert context.startswith(aspect_label), (aspect_label, context)

    # Open the task from the board and submit it empty: errors, announced and focused.
    board_row.get_by_role("link", name=aspect_label).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aspect beoordelen")
    conditions = page.get_by_label("Voorwaarden en toelichting")
    conditions.fill("Vergunning voor de moestuin aanvragen")
    page.get_by_role("button", name="Afronden").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text("Controleer het formulier")
    expect(summary.get_by_role("link")).to_have_count(1)  # conditions are optional
    expect(summary).to_contain_text("Oordeel: Maak een keuze.")
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(4)
    for i in range(4):
        expect(radios.nth(i)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-verdict-error")).to_contain_text("Maak een keuze.")
    expect(page.locator("#f-verdict")).to_have_attribute(
        "aria-describedby", re.compile("f-verdict-error")
    )
    # What was typed is kept, and that field is not marked wrong.
    expect(conditions).to_have_value("Vergunning voor de moestuin aanvragen")
    expect(conditions).not_to_have_attribute("aria-invalid", "true")
    # The summary link leads to the field.
    summary.get_by_role("link", name=re.compile("^Oordeel")).click()
    expect(page).to_have_url(re.compile("#f-verdict$"))

    # Fill it right with the keyboard only: Space picks, the arrow moves, Tab goes on.
    page.get_by_role("radio", name="Positief", exact=True).focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Positief", exact=True)).to_be_checked()
    page.keyboard.press("ArrowDown")
    chosen = page.get_by_role("radio", name="Positief met voorwaarden")
    expect(chosen).to_be_checked()
    expect(chosen).to_be_focused()
    page.keyboard.press("Tab")
    expect(conditions).to_be_focused()
    page.keyboard.press("Control+A")  # replace what was typed before
    page.keyboard.type("Vergunning aanvragen voor de moestuinbakken")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Afronden")).to_be_focused()
    page.keyboard.press("Enter")

    # Back on Mijn taken, the task is gone.
    expect(page).to_have_url(live_server.url("/taken/mijn"))
    expect(page.get_by_role("status")).to_contain_text("Taak afgerond.")
    expect(page.locator(f'tr[data-task-id="{task_id}"]')).to_have_count(0)
    # the other aspect of hers is still there
    expect(
        page.locator("table.worklist tbody tr").filter(has_text="Aspect beoordelen")
    ).to_have_count(1)

    # The aspect board shows the verdict; the other aspects are still open.
    page.goto(live_server.url(f"/initiatieven/{instance_id}"))
    done = page.locator(f'tr[data-aspect="{aspect}"]')
    expect(done).to_have_attribute("data-state", "completed")
    expect(done.locator(".verdict")).to_contain_text("Positief met voorwaarden")
    expect(done.locator(".verdict")).to_contain_text("Vergunning aanvragen voor de moestuinbakken")
    expect(done).to_contain_text("Carla")
    assert page.locator('tr[data-aspect][data-state="open"]').count() >= 1
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=15_000)

    # Nothing left this machine: no CDN, no web fonts; and no script errors on the way.
    assert requests_seen
    assert outside_localhost(requests_seen) == []
    assert problems == []


def _note_console_error(msg: ConsoleMessage, problems: list[str]) -> None:
    """Keep console errors, except the expected 422 of the form sent back with its errors."""
    if msg.type == "error" and "status of 422" not in msg.text:
        problems.append(f"console {msg.type}: {msg.text}")
