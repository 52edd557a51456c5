"""An initiator's whole way, in Chromium on a 390 px phone, against the live app and a real SMTP
server (aiosmtpd): submit the intake, open the link from the receipt e-mail, answer a request
for information, see the contact person and the date of the next step, withdraw a second
initiative, and later see the decision on the first; each step arrives as one e-mail. The
colleagues' side is done through the engine, as colleagues would. The public pages are checked
with axe on the way, and the intake also works with JavaScript off."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import AXE, check
from tests.integration.test_process_complex import (
    advise,
    apply_formally,
    assess_all,
    fund_criteria,
    intake,
)
from tests.mailserver import Postbox, smtp_to, text_of
from tests.uploads import PDF
from tests.webapp import driver
from workflows import accounts, mail, notes, status_links

PHONE = {"width": 390, "height": 844}


def submit_intake(page: Page, server: LiveServer, title: str, axe: bool = False) -> str:
    """Fill in "Ik heb een initiatief" as a person does, with a plan attached; returns the
    zaaknummer shown. With `axe`, the form, its error state and the receipt are checked."""
    page.goto(server.url("/inloggen"))
    page.get_by_role("link", name=re.compile("Heeft u een initiatief")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ik heb een initiatief")
    if axe:
        check(page, AXE, "the intake form")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="Initiatief versturen").click()  # empty
        expect(page.get_by_role("alert")).to_contain_text("Controleer het formulier")
        check(page, AXE, "the intake form with its errors")
    page.get_by_label("Hoe heet uw initiatief?").fill(title)
    page.get_by_label("Wat wilt u doen, en waarom?").fill(
        "Een plek waar bewoners van drie wijken elkaar ontmoeten, met koffie en cursussen."
    )
    page.get_by_label("In welke wijk?").select_option(label="Meer wijken of de hele stad")
    page.get_by_label("Voor wie is uw initiatief?").select_option(label="Meer wijken")
    page.get_by_label("Gaat het om groen of een schone straat?").select_option(
        label="Nee, het gaat over iets anders"
    )
    page.get_by_label("Hoeveel geld vraagt u van de gemeente?").fill("15000")
    page.get_by_label("U dient dit in als").select_option(label="Stichting")
    page.get_by_label("Uw naam").fill("Stichting Samen Dordt")
    page.get_by_label("Uw e-mailadres").fill("info@samendordt.example")
    page.get_by_label("Bijlagen (niet verplicht)").set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label(re.compile("Ik geef de gemeente toestemming")).check()
    page.wait_for_timeout(3100)  # a person takes longer than the form's minimum
    page.get_by_role("button", name="Initiatief versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw initiatief")
    if axe:
        check(page, AXE, "the receipt page")
    return page.locator("strong.nowrap").inner_text()


def deliver(server: LiveServer, port: int) -> None:
    """The background loop's mail round, now."""
    links = status_links.Links(server.app.config["SECRET_KEY"], server.url("").rstrip("/"))
    mail.send_due(server.engine, smtp_to(port), links)


def new_mail(box: Postbox, seen: int, subject: str) -> str:
    """The one message that arrived since `seen`, with this in its subject; its text."""
    arrived = box.received[seen:]
    subjects = [str(m["Subject"]) for m in arrived]
    assert len(arrived) == 1, subjects
    assert subject in subjects[0], subjects
    return text_of(arrived[0])


def link_in(text: str) -> str:
    found = re.search(r"(http://127\.0\.0\.1:\d+/status/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def test_an_initiator_on_a_phone_from_intake_to_decision(
    browser: Browser, live_server: LiveServer, postbox: tuple[Postbox, int]
) -> None:
    box, port = postbox
    engine, clock = live_server.engine, live_server.clock
    accounts.add_user(
        engine,
        "fatima",
        ["casist"],
        "fatima-wachtwoord-1",
        display_name="Fatima el Amrani",
        email="f.elamrani@dordrecht.example",
        phone="078 770 4101",
    )
    context = browser.new_context(viewport=PHONE, locale="nl-NL", bypass_csp=True)
    page = context.new_page()

    # 1. the intake, and the receipt with the private link
    first = submit_intake(page, live_server, "Buurtkamer in de oude bibliotheek", axe=True)
    assert re.fullmatch(r"INI-\d{4}-0001", first)
    case = engine.list_instances(limit=1)[0].id
    with engine.reading() as conn:
        (plan,) = notes.documents_of_case(conn, case)  # the plan went with it
    assert (plan.filename, plan.uploaded_by) == ("plan.pdf", "initiatiefnemer")
    deliver(live_server, port)
    receipt = new_mail(box, 0, "Wij hebben uw initiatief ontvangen")
    status_url = link_in(receipt)
    page.goto(status_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Buurtkamer in de oude bibliotheek")
    check(page, AXE, "the status page")
    # where it stands opens its box, with no empty band above it
    gap = page.evaluate(
        """() => { const box = document.querySelector('section.notice');
                   const h = box.querySelector('h2');
                   return h.getBoundingClientRect().top - box.getBoundingClientRect().top; }"""
    )
    assert gap <= 16, f"{gap} px above 'Nu: …' inside its box"

    # 2. the intake finds information missing: asked by e-mail, answered on the status page
    d = driver(live_server.app, clock, case)
    intake(d, complete=False)
    seen = len(box.received)
    deliver(live_server, port)
    new_mail(box, seen, "Wij hebben meer informatie nodig")
    page.goto(status_url)
    expect(page.get_by_role("heading", name="Wij wachten op u")).to_be_visible()
    page.get_by_role("link", name="Ontbrekende informatie aanleveren").click()
    check(page, AXE, "the request's form")
    page.get_by_role("button", name="Versturen").click()  # empty: said on the field
    expect(page.get_by_role("alert")).to_contain_text("Vul dit veld in.")
    page.get_by_label("Aanvulling").fill("De begroting en het dekkingsplan staan in de bijlage.")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Wij hebben uw antwoord ontvangen")).to_be_visible()

    # 3. a casist is chosen: her name and the date of the next step on the page, and a mail
    d.do("check_supplied_information", {"information_complete": True})
    d.do(
        "assign_casist",
        {"casist": "fatima", "casist_name": "Fatima el Amrani", "casist_role": "gebiedsmanager"},
    )
    seen = len(box.received)
    deliver(live_server, port)
    new_mail(box, seen, "Uw vaste contactpersoon")
    page.goto(status_url)
    expect(page.get_by_text("Fatima el Amrani")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Volgende stap: uiterlijk \d\d-\d\d-\d{4}"))
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 4. a second initiative, withdrawn online, confirmed by one e-mail
    second = submit_intake(page, live_server, "Zomerfeest op het plein")
    assert second != first
    seen = len(box.received)
    deliver(live_server, port)
    second_url = link_in(new_mail(box, seen, "Wij hebben uw initiatief ontvangen"))
    page.goto(second_url)
    page.get_by_role("link", name="Wilt u uw initiatief intrekken?").click()
    check(page, AXE, "the withdrawal question")
    page.get_by_label("Ja, ik trek mijn initiatief in.").check()
    page.get_by_role("button", name="Initiatief intrekken").click()
    expect(page.get_by_text("Uw initiatief is ingetrokken")).to_be_visible()
    seen = len(box.received)
    deliver(live_server, port)
    new_mail(box, seen, "U heeft uw initiatief ingetrokken")

    # 5. later: the decision on the first, on the page and by e-mail
    d.do("kickoff", {"kickoff_date": "2026-03-16", "plan_summary": "In drie fasen."})
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 15000)
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Voldoet."})
    seen = len(box.received)
    d.do("decide_subsidy", {"decision": "VERLENEN", "granted_amount": 15000})
    deliver(live_server, port)
    decisions = [m for m in box.received[seen:] if "u krijgt subsidie" in str(m["Subject"])]
    assert len(decisions) == 1
    page.goto(status_url)
    expect(page.get_by_text("De gemeente verleent u subsidie: € 15.000,00.")).to_be_visible()
    context.close()


def test_the_intake_works_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url("/initiatief"))
    page.get_by_role("button", name="Initiatief versturen").click()  # empty
    expect(page.get_by_role("alert")).to_contain_text("Controleer het formulier")
    title = submit_intake(page, live_server, "Moestuin zonder JavaScript")
    assert title.startswith("INI-")
    context.close()
