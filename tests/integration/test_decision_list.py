"""The quarterly besluitenlijst of the wijkwensen per gebied: every wish the gebiedsmanager
decided on in the quarter (granted with its amount, rejected with why), as a page for the
secretariaat, gebiedsmanager, regiegroep and managers and as CSV to publish; no initiator's
name or e-mail in it; a wrong quarter or gebied gets a clear message."""

from __future__ import annotations

from flask import Flask

from engine import Engine, ManualClock
from tests.helpers import hold_meeting
from tests.integration.test_process_wijkwens_green import (
    ADMISSIBLE,
    POSITIVE,
    do,
    grant,
    start_wijkwens,
)
from tests.webapp import engine_of, logged_in
from workflows.reports import decisions


def _decided(engine: Engine, key: str, wijk: str, verdict: str, amount: float = 750) -> int:
    iid = start_wijkwens(engine, key=key, wijk=wijk, title=f"Wens {key}")
    do(engine, iid, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    hold_meeting(engine, iid)
    if verdict == "grant":
        do(engine, iid, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
        do(engine, iid, "wijkwens_decide", grant(amount), "gebiedsmanager")
    else:
        negative = {"advice": "negative", "advice_motivation": "Geen draagvlak."}
        do(engine, iid, "wijkwens_regiegroep_advice", negative, "regiegroep")
        reject = {"decision": "reject", "motivation": "Conform advies."}
        do(engine, iid, "wijkwens_decide", reject, "gebiedsmanager")
    return iid


def test_the_besluitenlijst_lists_a_gebieds_decisions_of_one_quarter(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _ = app
    engine = engine_of(flask_app)
    # Oost (Sterrenburg, Dubbeldam) meets on 1 April: decided in the second quarter
    _decided(engine, "WW-2026-0011", "Sterrenburg", "grant", 750)
    _decided(engine, "WW-2026-0012", "Dubbeldam", "reject")
    _decided(engine, "WW-2026-0013", "Crabbehof", "grant", 400)  # West: not in Oost's list

    q2 = decisions.Quarter(2026, 2)
    found = decisions.decision_list(engine, "Oost", q2)
    assert [(d.zaaknummer, d.granted, d.amount_cents) for d in found.decisions] == [
        ("WW-2026-0011", True, 75000),
        ("WW-2026-0012", False, 0),
    ]
    assert (found.granted, found.rejected, found.granted_cents) == (1, 1, 75000)
    assert found.budget is not None  # the gebied's ledger of 2026, as the diagram opened it
    assert (found.budget.ceiling, found.budget.committed, found.budget.available) == (
        48000 * 100,
        75000,
        (48000 - 750) * 100,
    )
    assert decisions.decision_list(engine, "Oost", decisions.Quarter(2026, 1)).decisions == ()

    client = logged_in(flask_app, "sec", "wijkwenssecretariaat")
    home = client.get("/taken/mijn")
    assert "Besluitenlijst" in home.text  # in the menu of those who publish it
    page = client.get("/dashboard/besluitenlijst?gebied=Oost&kwartaal=2026-Q2")
    assert page.status_code == 200
    assert "2e kwartaal 2026" in page.text
    assert "WW-2026-0011" in page.text
    assert "WW-2026-0012" in page.text
    assert "WW-2026-0013" not in page.text
    assert "Negatief advies regiegroep" in page.text
    assert "Budget wijkwensen Oost 2026: €\u00a048.000,00" in page.text
    assert "nog beschikbaar €\u00a047.250,00" in page.text
    assert "fatima@example.nl" not in page.text
    assert "Fatima" not in page.text

    csv = client.get("/dashboard/besluitenlijst.csv?gebied=Oost&kwartaal=2026-Q2")
    assert csv.status_code == 200
    assert "besluitenlijst-wijkwensen-Oost-2026-Q2.csv" in csv.headers["Content-Disposition"]
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("zaaknummer;besluitdatum;wijk")
    assert lines[1].startswith("WW-2026-0011;2026-04-")
    assert lines[1].endswith(";toegekend;750,00;Conform advies regiegroep")
    assert ";afgewezen;0,00;" in lines[2]
    assert "fatima" not in csv.text.lower()


def test_a_wrong_quarter_or_gebied_is_told_and_others_may_not_look(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _ = app
    client = logged_in(flask_app, "gm", "gebiedsmanager")
    wrong = client.get("/dashboard/besluitenlijst?gebied=Oost&kwartaal=2026-5")
    assert wrong.status_code == 400
    assert "Kies een kwartaal als 2026-Q1" in wrong.text
    nowhere = client.get("/dashboard/besluitenlijst?gebied=Noord")
    assert nowhere.status_code == 400
    assert "Kies een gebied: Centrum, Oost, West." in nowhere.text
    assert client.get("/dashboard/besluitenlijst.csv?kwartaal=x").status_code == 400

    specialist = logged_in(flask_app, "vs", "vakspecialist", teams=("BELEID",))
    assert specialist.get("/dashboard/besluitenlijst").status_code == 403
    assert "Besluitenlijst" not in specialist.get("/taken/mijn").text


def test_the_gebiedsmanager_sees_what_is_left_of_the_gebieds_budget_before_deciding(
    app: tuple[Flask, ManualClock],
) -> None:
    """The decide task names its ledger (task property `budget`, filled in from the case): the
    page shows what is left of the gebied's budget this year, not another gebied's."""
    flask_app, _ = app
    engine = engine_of(flask_app)
    client = logged_in(flask_app, "gm", "gebiedsmanager")

    first = start_wijkwens(engine, key="WW-2026-0021", wijk="Sterrenburg", title="Eerste wens")
    do(engine, first, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    hold_meeting(engine, first)
    do(engine, first, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
    (deciding,) = engine.list_tasks(instance_id=first)
    page = client.get(f"/taken/{deciding.id}").text
    assert "Uit dit budget is dit jaar nog niets toegekend." in page  # no ledger opened yet
    do(engine, first, "wijkwens_decide", grant(750), "gebiedsmanager")
    _decided(engine, "WW-2026-0022", "Crabbehof", "grant", 400)  # West: another ledger

    second = start_wijkwens(engine, key="WW-2026-0023", wijk="Dubbeldam", title="Tweede wens")
    do(engine, second, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    hold_meeting(engine, second)
    do(engine, second, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
    (deciding,) = engine.list_tasks(instance_id=second)
    page = client.get(f"/taken/{deciding.id}").text
    assert (
        "Wijkwensen Oost 2026: nog beschikbaar € 47.250,00 van € 48.000,00 (toegekend € 750,00,"
        " waarvan betaald € 0,00).".replace("€ ", "€\u00a0")  # no break after the euro sign
        in page
    )
    assert "Wijkwensen West" not in page
