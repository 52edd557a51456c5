"""A task's instructions from its diagram, filled in from the case data as people read it, in
Jinja's sandbox: dates in Dutch, codes as words, nothing an instruction could reach beyond the
data, and no error page for a template that fails."""

from __future__ import annotations

from workflows import instructions


def test_the_case_data_is_filled_in_as_people_read_it() -> None:
    text = "Leg het advies vast dat de {{ regiegroep }} op {{ meeting_date }} gaf ({{ advice }})."
    data = {"regiegroep": "Regiegroep Oost", "meeting_date": "2026-04-01", "advice": "hold"}
    assert instructions.render(text, data) == (
        "Leg het advies vast dat de Regiegroep Oost op 1 april 2026 gaf (aanhouden)."
    )
    assert instructions.render("Wat er ontbreekt: {{ notes }}", {}) == "Wat er ontbreekt:"
    assert instructions.render(None, {"a": 1}) == ""
    assert (
        instructions.render("{{ granted_amount }}", {"granted_amount": 1800.0}) == "€\u00a01.800,00"
    )  # no line break after the euro sign


def test_a_diagram_cannot_reach_beyond_the_data_and_a_broken_template_shows_nothing() -> None:
    escape = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    assert instructions.render(escape, {}) == ""  # the sandbox refuses: nothing shown
    assert instructions.render("{{ unclosed", {}) == ""
    assert instructions.render("{% for x in y %}", {}) == ""
    # HTML is left to the page to escape (the template escapes every value)
    assert instructions.render("{{ t }}", {"t": "<b>x</b>"}) == "<b>x</b>"
