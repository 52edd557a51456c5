"""Every event type of the audit trail reads as one Dutch line on the initiative page."""

from __future__ import annotations

import pytest

from workflows.initiative_page import describe_event


@pytest.mark.parametrize(
    ("kind", "detail", "expected"),
    [
        (
            "instance_started",
            {"process_id": "wijkwens_process", "version": 2},
            "Zaak gestart (Wijkwens, versie 2)",
        ),
        ("task_created", {"lane": "casist"}, "Taak klaargezet: Advies (rol Casist)"),
        ("task_claimed", {}, "Taak opgepakt: Advies"),
        ("task_released", {}, "Taak teruggelegd in de teambak: Advies"),
        ("task_reassigned", {"assignee": "ivo"}, "Taak toegewezen aan ivo: Advies"),
        ("task_completed", {"data": {"x": 1}}, "Taak afgerond: Advies"),
        ("task_cancelled", {}, "Taak vervallen: Advies"),
        ("timer_fired", {}, "Termijn verstreken: Advies"),
        ("milestone_reached", {"milestone": "beoordeling"}, "Fase bereikt: Beoordeling"),
        (
            "message_received",
            {"message": "initiative_withdrawn"},
            "De initiatiefnemer heeft het initiatief ingetrokken",
        ),
        (
            "message_received",
            {"message": "payment_received"},
            "Bericht ontvangen: payment_received",
        ),
        ("instance_completed", {}, "Zaak afgerond"),
        ("instance_cancelled", {"reason": "dubbel"}, "Zaak gestopt: dubbel"),
        ("instance_cancelled", {}, "Zaak gestopt"),
        ("instance_errored", {"error": "kapot"}, "Fout in de zaak: kapot"),
        ("instance_retried", {}, "Zaak opnieuw gestart na een fout"),
        ("something_new", {}, "something new"),
    ],
)
def test_each_event_reads_as_one_dutch_line(
    kind: str, detail: dict[str, object], expected: str
) -> None:
    assert describe_event(kind, "Advies", detail) == expected
