"""Pages on a 390 px phone, and the case diagram as a person uses it.

On a phone no page scrolls sideways, lists become cards, and no date or case number breaks
over two lines. The diagram opens fitted to its frame (not at 100 % around one task), zooms
and fits with buttons and keys, colours the path taken and the current task (inside the
multi-instance assessment of an embedded subprocess too), and on a finished case circles the
end it reached without claiming a current position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.integration.test_process_complex import advise, assess_all
from tests.webapp import add_user, driver, start_complex, to_assessment

PHONE = {"width": 390, "height": 844}
#: a date (03-12-2026), a time (14:05) or a case number (INI-2026-0001) must stay on one line
ONE_LINE = r"\b\d{2}-\d{2}-\d{4}\b|\b[A-Z]{2,3}-\d{4}-\d{4,6}\b"

#: the widest the page is beyond the viewport, and every value of ONE_LINE split over lines
LAYOUT = """(pattern) => {
  const wide = document.documentElement.scrollWidth - window.innerWidth;
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const re = new RegExp(pattern, "g");
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || node.parentElement.closest("[hidden], script, style")) continue;
    for (const m of node.textContent.matchAll(re)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) split.push(m[0]);
    }
  }
  return {wide, split};
}"""


#: the choice lists of the dashboard filters whose chosen text is wider than the list shows
CUT_CHOICES = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll(".filters select")].filter(select => {
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex].text;
    const room = select.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight) - 20;  // the arrow
    return canvas.measureText(text).width > room;
  }).map(select => select.options[select.selectedIndex].text);
}"""


def _cases(live_server: LiveServer) -> tuple[int, int]:
    """A case at its aspect assessments (running) and one rejected after the advice (closed)."""
    running = start_complex(live_server.app, 1)
    to_assessment(live_server.app, live_server.clock, running)
    closed = start_complex(live_server.app, 2)
    d = to_assessment(live_server.app, live_server.clock, closed)
    assess_all(d, "NEGATIEF")
    advise(d, "NIET_HAALBAAR")
    d.do(
        "reject_with_reasons",
        {"rejection_reason": "GEEN_DRAAGVLAK", "rejection_motivation": "Geen draagvlak."},
    )
    assert driver(live_server.app, live_server.clock, closed).status() == "completed"
    return running, closed


def test_pages_fit_a_390_px_phone(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None]
) -> None:
    running, closed = _cases(live_server)
    add_user(live_server.app, "fatima", "casist", "vakspecialist", teams=("CASIST", "BELEID"))
    add_user(live_server.app, "max", "manager")
    page.set_viewport_size(PHONE)
    log_in("fatima")
    pages = [
        "/taken/mijn",
        "/taken/team",
        "/initiatieven",
        "/initiatieven/mijn",
        f"/initiatieven/{running}",
        f"/initiatieven/{closed}",
    ]
    task = page.request.get(live_server.url("/taken/team")).text()
    first = re.search(r'data-task-id="([0-9a-f-]{36})"', task)
    assert first, "the team has open tasks"
    pages.append(f"/taken/{first.group(1)}")
    for path in pages:
        page.goto(live_server.url(path))
        found: dict[str, Any] = page.evaluate(LAYOUT, ONE_LINE)
        assert found["wide"] <= 0, f"{path} scrolls sideways by {found['wide']} px"
        assert not found["split"], f"{path} breaks {found['split']} over two lines"
    # a worklist is a list of cards on a phone: one row per card, no table header to scroll
    page.goto(live_server.url("/taken/team"))
    row = page.locator("table.worklist tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    expect(page.locator("table.worklist thead")).to_be_hidden()

    page.context.clear_cookies()
    log_in("max")
    for path in ("/dashboard", "/initiatieven", f"/initiatieven/{closed}"):
        page.goto(live_server.url(path))
        found = page.evaluate(LAYOUT, ONE_LINE)
        assert found["wide"] <= 0, f"{path} scrolls sideways by {found['wide']} px (manager)"
        assert not found["split"], f"{path} breaks {found['split']} over two lines (manager)"
    for path in ("/dashboard/fonds", "/dashboard/heatmap"):
        page.goto(live_server.url(path))
        found = page.evaluate(LAYOUT, ONE_LINE)
        assert found["wide"] <= 0, f"{path} scrolls sideways by {found['wide']} px (manager)"
        assert not found["split"], f"{path} breaks {found['split']} over two lines (manager)"
    # on the dashboards what a choice list shows is whole ("4e kwartaal 2026", not "4e kwartaal 20")
    for path in ("/dashboard", "/dashboard/besluitenlijst"):
        page.goto(live_server.url(path))
        cut = page.evaluate(CUT_CHOICES)
        assert cut == [], f"{path} cuts off {cut}"

    # the process owner's and the beheerder's overviews (the modeler itself wants a wider screen)
    add_user(live_server.app, "paula", "procesbeheerder", "beheerder")
    page.context.clear_cookies()
    log_in("paula")
    for path in ("/procesbeheer", "/beheer/berichten"):
        page.goto(live_server.url(path))
        found = page.evaluate(LAYOUT, ONE_LINE)
        assert found["wide"] <= 0, f"{path} scrolls sideways by {found['wide']} px (paula)"
        assert not found["split"], f"{path} breaks {found['split']} over two lines (paula)"


def test_the_header_takes_two_lines_on_a_phone(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None]
) -> None:
    """A colleague with many roles and a long name: the name, log-out and language share the
    first line, the whole menu is one row below it (scrolled sideways within itself, never the
    page), and every menu item stays reachable."""
    add_user(
        live_server.app,
        "victoria",
        "casist",
        "vakspecialist",
        "manager",
        "procesbeheerder",
        "beheerder",
        teams=("BELEID",),
        display_name="Victoria van der Vakspecialist-Verhoeven",
    )
    page.set_viewport_size(PHONE)
    log_in("victoria")
    page.goto(live_server.url("/taken/mijn"))
    lines = page.evaluate(
        """() => {
          const tops = el => { const r = el.getBoundingClientRect(); return Math.round((r.top + r.bottom) / 2); };
          const nav = document.querySelector('.main-nav');
          return {
            brand: tops(document.querySelector('.brand')),
            user: tops(document.querySelector('.user-box')),
            lang: tops(document.querySelector('.lang-switch')),
            nav: [...nav.querySelectorAll('a')].map(tops),
            header: Math.round(document.querySelector('.site-header').getBoundingClientRect().height),
            wide: document.documentElement.scrollWidth - window.innerWidth,
            navScrolls: nav.scrollWidth > nav.clientWidth,
          };
        }"""
    )
    # the middles of the first line's parts within a few pixels; the menu's all on one row
    assert (
        max(lines["brand"], lines["user"], lines["lang"])
        - min(lines["brand"], lines["user"], lines["lang"])
        <= 4
    ), lines
    assert len(set(lines["nav"])) == 1, lines
    assert lines["nav"][0] > lines["brand"] + 20, lines
    assert lines["header"] <= 110, lines
    assert lines["wide"] <= 0, lines
    assert lines["navScrolls"], "this many menu items do not fit 390 px: the menu scrolls"
    expect(page.locator(".brand-sub")).to_be_hidden()
    expect(page.locator(".user-name")).to_have_attribute(
        "title", "Victoria van der Vakspecialist-Verhoeven"
    )
    last = page.locator(".main-nav a").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    last.click()
    expect(page).not_to_have_url(re.compile(r"/taken/mijn$"))

    # an initiator (not logged in) still sees whose site this is
    page.context.clear_cookies()
    page.goto(live_server.url("/initiatief"))
    expect(page.locator(".brand-sub")).to_be_visible()


def _viewbox(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => { const b = document.querySelector('#bpmn-canvas svg .viewport')
                     .getBoundingClientRect();
                   const c = document.querySelector('#bpmn-canvas').getBoundingClientRect();
                   return {x: b.x - c.x, y: b.y - c.y, width: b.width, height: b.height,
                           frame_width: c.width, frame_height: c.height}; }"""
    )


def _zoom(page: Page) -> int:
    return int(page.locator("#bpmn-canvas").get_attribute("data-zoom") or "0")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_diagram_of_a_running_case(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None], width: int
) -> None:
    running, _ = _cases(live_server)
    add_user(live_server.app, "max", "manager")
    page.set_viewport_size({"width": width, "height": 844})
    log_in("max")
    page.goto(live_server.url(f"/initiatieven/{running}"))
    canvas = page.locator("#bpmn-canvas")
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=15_000)

    # fitted: the whole drawing inside the frame, so smaller than 100 %
    box = _viewbox(page)
    assert _zoom(page) < 100
    assert box["x"] >= -2, box
    assert box["y"] >= -2, box
    assert box["x"] + box["width"] <= box["frame_width"] + 2, box
    assert box["y"] + box["height"] <= box["frame_height"] + 2, box

    # the current task inside the embedded subprocess's multi-instance body is yellow; the
    # path taken is green, flows included
    current = page.locator('.djs-element.current-position[data-element-id="assess_aspect"]')
    expect(current).to_have_count(1)
    taken = page.locator(".djs-element.path-taken")
    assert taken.count() > 5
    assert page.locator(".djs-connection.path-taken").count() > 3
    for done in ("plan_intake", "hold_intake", "assign_casist", "kickoff"):
        expect(page.locator(f'.djs-element.path-taken[data-element-id="{done}"]')).to_have_count(1)
    expect(page.locator(".djs-element.end-reached")).to_have_count(0)
    expect(page.locator(".diagram-legend")).to_contain_text("huidige stap")

    # zoom in, out and fit with the buttons
    tools = page.locator(".diagram-tools")
    fitted = _zoom(page)
    tools.get_by_role("button", name="Inzoomen").click()
    assert _zoom(page) > fitted
    tools.get_by_role("button", name="Passend maken").click()
    assert _zoom(page) == fitted
    tools.get_by_role("button", name="Uitzoomen").click()
    assert _zoom(page) < fitted
    tools.get_by_role("button", name="Naar de huidige stap").click()
    assert _zoom(page) == 100
    centre = current.bounding_box()
    frame = canvas.bounding_box()
    assert centre
    assert frame
    assert frame["x"] <= centre["x"] + centre["width"] / 2 <= frame["x"] + frame["width"]

    # keyboard: the diagram takes focus, the arrow keys pan it
    tools.get_by_role("button", name="Passend maken").click()
    page.locator("#bpmn-canvas svg").first.focus()
    before = _viewbox(page)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    after = _viewbox(page)
    assert after["x"] - before["x"] > 5, (before, after)
    page.keyboard.press("+")
    assert _zoom(page) > fitted
    page.keyboard.press("0")
    assert _zoom(page) == fitted
    expect(page.locator("#diagram-hint")).to_contain_text("pijltjestoetsen")


def test_the_diagram_of_a_finished_case(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None]
) -> None:
    _, closed = _cases(live_server)
    add_user(live_server.app, "max", "manager")
    log_in("max")
    page.goto(live_server.url(f"/initiatieven/{closed}"))
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=15_000)
    assert _zoom(page) < 100  # the whole process, fitted
    expect(page.locator(".djs-element.current-position")).to_have_count(0)
    ended = page.locator(".djs-element.end-reached")
    expect(ended.first).to_be_visible()  # the subprocess's end and the process's own
    assert page.locator(".djs-element.path-taken").count() > 10
    legend = page.locator(".diagram-legend")
    expect(legend).to_contain_text("bereikt einde")
    expect(legend).not_to_contain_text("huidige")
    expect(page.locator("#bpmn-canvas svg").first).to_have_attribute(
        "aria-label", re.compile("bereikte einde")
    )
    tools = page.locator(".diagram-tools")
    expect(tools.get_by_role("button", name="Naar de huidige stap")).to_have_count(0)
    # the outcome in words, where the eye is
    expect(page.locator(".outcome")).to_contain_text(re.compile("Afgewezen", re.IGNORECASE))
