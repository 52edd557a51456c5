"""A manager's dashboard in the browser: open it, switch period and filter, open the heatmap,
follow a diagram element to the cases there; axe finds no serious or critical violation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import MONDAY_MORNING, LiveServer, serve
from tests.browser.test_accessibility import check
from tests.webapp import add_user
from workflows.simulation import Simulation
from workflows.simulation.core import add_months
from workflows.simulation.profiles import profiles

pytest_plugins = ["tests.browser.test_accessibility"]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True}  # axe is injected inline


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Four simulated months up to the Monday morning the live server starts on."""
    with serve(tmp_path_factory.mktemp("dashboard")) as server:
        start = add_months(MONDAY_MORNING, -4)
        server.clock.set(start)
        Simulation(server.engine, profiles(server.clock), start, months=4, seed=3).run()
        add_user(server.app, "max", "manager")
        yield server


@pytest.fixture
def live_server(shared_server: LiveServer) -> LiveServer:
    return shared_server


def test_a_manager_switches_period_and_filter_and_follows_the_heatmap_to_the_cases(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None], axe_script: Path
) -> None:
    log_in("max")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard doorlooptijden")
    expect(page.locator("svg.chart").first).to_be_visible()
    check(page, axe_script, "the dashboard")

    page.get_by_label("Van maand").fill("2025-12")
    page.get_by_label("Tot en met maand").fill("2026-02")
    page.get_by_label("Categorie").select_option(label="Complex initiatief")
    page.get_by_role("button", name="Toon").click()
    expect(page.locator(".subtitle").first).to_contain_text("dec 2025 – feb 2026")
    expect(page.get_by_label("Categorie")).to_have_value("COMPLEX")
    started = int(page.locator('[data-figure="started"]').inner_text())
    assert 0 < started < 60  # only complex initiatives of three months
    check(page, axe_script, "the dashboard, filtered")

    page.get_by_role("link", name="Heatmap").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Heatmap")
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=20_000)
    expect(page.locator(".djs-element.heat-clickable").first).to_be_attached()
    check(page, axe_script, "the heatmap")

    busy = page.locator("tr[data-element]:not([data-open='0'])").first
    element, there = busy.get_attribute("data-element"), int(busy.get_attribute("data-open") or 0)
    assert element
    assert there > 0
    page.locator(f'.djs-element[data-element-id="{element}"]').first.click()
    expect(page).to_have_url(re.compile(f"element={element}"))
    expect(page.get_by_role("heading", name="Zaken bij")).to_be_visible()
    expect(
        page.locator("#zaken ~ table tbody tr, section[aria-labelledby=zaken] tbody tr")
    ).to_have_count(there)
    check(page, axe_script, "the cases at a heatmap element")


def test_every_chart_tick_label_is_drawn_whole_inside_its_chart(
    page: Page, live_server: LiveServer, log_in: Callable[[str], None]
) -> None:
    """The fund's monthly chart counts in euros (120.000): its axis labels were cut to "00000"
    at the chart's left edge. Each tick label now lies inside its chart, with a thousands point;
    the same holds for the dashboard's own charts."""
    log_in("max")
    for path in ("/dashboard/fonds", "/dashboard"):
        page.goto(live_server.url(path))
        charts = page.locator("svg.chart")
        assert charts.count() > 0
        for i in range(charts.count()):
            chart = charts.nth(i)
            box = chart.bounding_box()
            assert box is not None
            ticks = chart.locator("text.tick")
            for j in range(ticks.count()):
                tick = ticks.nth(j).bounding_box()
                assert tick is not None
                assert tick["x"] >= box["x"] - 0.5, (path, ticks.nth(j).text_content())
                assert tick["x"] + tick["width"] <= box["x"] + box["width"] + 0.5
    page.goto(live_server.url("/dashboard/fonds"))
    labels = page.locator("svg.chart text.tick").all_text_contents()
    assert "120.000" in labels or "100.000" in labels or "150.000" in labels, labels
