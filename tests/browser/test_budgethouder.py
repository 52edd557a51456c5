"""A budgethouder's decision in the real browser: grant the subsidy, amount in Dutch notation,
and see the case move on and the money committed in the fund."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, outside_localhost
from tests.webapp import add_user, start_complex, to_decision
from workflows import fund

DECISION = re.compile(r"Besluiten op (de )?subsidieaanvraag")
FUND_PERIOD = "initiatievenfonds"


def test_a_budgethouder_grants_the_subsidy(
    page: Page,
    live_server: LiveServer,
    log_in: Callable[[str], None],
    requests_seen: list[str],
) -> None:
    instance_id = start_complex(live_server.app, 2)
    to_decision(live_server.app, live_server.clock, instance_id, amount=15000)
    add_user(live_server.app, "bert", "budgethouder")
    before, _ = fund.overview(live_server.engine, FUND_PERIOD)
    assert (before.reserved, before.committed) == (1_500_000, 0)

    log_in("bert")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Team").click()
    rows = page.locator("table.worklist tbody tr")
    expect(rows).to_have_count(1)
    row = rows.filter(has=page.get_by_role("link", name=DECISION))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Budgethouder")
    expect(row).to_contain_text("nog niemand")
    task_id = row.get_attribute("data-task-id")

    # Open it straight from Team: completing an unclaimed task claims it on the way.
    row.get_by_role("link", name=DECISION).click()
    expect(page).to_have_url(live_server.url(f"/taken/{task_id}?van=team"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DECISION)
    expect(page.get_by_text("Beslis binnen 8 weken")).to_be_visible()
    decision = page.get_by_role("group", name=re.compile("^Besluit"))
    decision.get_by_label("Verlenen", exact=True).check()
    amount = page.get_by_label(re.compile(r"^Verleend bedrag"))
    expect(amount).to_have_attribute("inputmode", "decimal")
    amount.fill("15.000,00")
    page.get_by_role("button", name="Afronden").click()

    # The task is gone from both tabs.
    expect(page).to_have_url(live_server.url("/taken/mijn"))
    expect(page.get_by_role("status")).to_contain_text("Taak afgerond.")
    expect(page.locator(f'tr[data-task-id="{task_id}"]')).to_have_count(0)
    page.goto(live_server.url("/taken/team"))
    expect(page.get_by_text("Er staan geen open taken voor uw rollen.")).to_be_visible()

    # The initiative page shows the grant and the next step: the advance payment.
    page.goto(live_server.url(f"/initiatieven/{instance_id}"))
    expect(page.locator(".facts div").filter(has_text="Toegekend bedrag")).to_contain_text(
        "€ 15.000,00"
    )
    open_tasks = page.locator("section[aria-labelledby=taken]")
    expect(open_tasks.get_by_role("link")).to_have_count(1)
    expect(open_tasks).to_contain_text("Betaalopdracht voorschot controleren")
    expect(open_tasks).not_to_contain_text("subsidieaanvraag")
    expect(page.locator(".timeline li.current")).to_contain_text("Besluit")
    expect(page.locator(".history")).to_contain_text(DECISION)
    expect(page.locator('#bpmn-canvas[data-loaded="true"]')).to_be_attached(timeout=15_000)
    expect(
        page.locator('.djs-element.current-position[data-element-id="prepare_payment"]')
    ).to_have_count(1)
    expect(
        page.locator('.djs-element.current-position[data-element-id="decide_subsidy"]')
    ).to_have_count(0)

    # The money moved from reserved to committed: € 15.000, exactly as typed.
    after, entries = fund.overview(live_server.engine, FUND_PERIOD)
    assert (after.reserved, after.committed, after.paid) == (0, 1_500_000, 0)
    [entry] = entries
    assert (entry.state, entry.amount) == ("committed", 1_500_000)
    assert outside_localhost(requests_seen) == []
