"""Every rule between fields in every form of bpmn/ is proven twice: an input that breaks it is
refused with a Dutch message on the field the rule is about, and the input that keeps it passes.

A rule is an `if`/`then` of a form (at the top or under `allOf`) or a `dependentRequired`. RULES
below names, per form, what breaks and what keeps each rule; a rule added to a form without a
line here fails `test_every_rule_has_its_cases`, so no rule ships unproven.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workflows import bootstrap
from workflows.forms import clean, validate

FORMS = {p.name.removesuffix(".schema.json"): p for p in bootstrap.BPMN_DIR.rglob("*.schema.json")}

#: a valid answer to each form that has rules (the rules' cases change it)
BASE: dict[str, dict[str, Any]] = {
    "assess_aspect": {"verdict": "POSITIEF"},
    "decide_subsidy": {"decision": "VERLENEN", "granted_amount": 15000},
    "hold_intake": {"intake_summary": "Besproken.", "information_complete": True},
    "check_supplied_information": {"information_complete": True},
    "assess_accountability": {"accountability_approved": True, "settled_amount": 15000},
    "green_assess_geveltuin": {"geveltuin_feasible": True, "remaining_walkway_m": 1.8},
    "green_accept_agreement": {"agreement_accepted": True},
    "wijkwens_check_admissibility": {"admissibility": "admissible", "is_public_space_wish": False},
    "wijkwens_decide": {
        "decision": "grant",
        "granted_amount": 2000,
        "motivation": "Conform advies.",
    },
    "wijkwens_regiegroep_advice": {
        "advice": "positive",
        "advised_amount": 2000,
        "advice_motivation": "Versterkt de buurt.",
    },
}

#: form → one (breaking changes, field the message lands on, keeping changes) per rule, in order
RULES: dict[str, list[tuple[dict[str, Any], str, dict[str, Any]]]] = {
    "assess_aspect": [
        (
            {"verdict": "POSITIEF_MET_VOORWAARDEN"},
            "conditions",
            {"verdict": "POSITIEF_MET_VOORWAARDEN", "conditions": "Vergunning aanvragen."},
        ),
        (
            {"verdict": "NEGATIEF", "conditions": ""},
            "conditions",
            {"verdict": "NEGATIEF", "conditions": "Geen draagvlak in de straat."},
        ),
        (
            {"verdict": "MEER_INFO_NODIG"},
            "conditions",
            {"verdict": "MEER_INFO_NODIG", "conditions": "Een situatietekening."},
        ),
    ],
    "decide_subsidy": [
        (
            {"decision": "WEIGEREN", "granted_amount": 5000},
            "granted_amount",
            {"decision": "WEIGEREN", "granted_amount": 0},
        ),
        (
            {"decision": "GEDEELTELIJK_VERLENEN", "granted_amount": 0},
            "granted_amount",
            {"decision": "GEDEELTELIJK_VERLENEN", "granted_amount": 6000},
        ),
    ],
    "hold_intake": [
        (
            {"information_complete": False},
            "missing_information",
            {"information_complete": False, "missing_information": "Begroting."},
        ),
    ],
    "check_supplied_information": [
        (
            {"information_complete": False, "missing_information": ""},
            "missing_information",
            {"information_complete": False, "missing_information": "Offertes."},
        ),
    ],
    "assess_accountability": [
        (
            {"accountability_approved": False},
            "assessment_notes",
            {"accountability_approved": False, "assessment_notes": "Bonnen ontbreken."},
        ),
    ],
    "green_assess_geveltuin": [
        ({"remaining_walkway_m": 1.2}, "remaining_walkway_m", {"remaining_walkway_m": 1.5}),
        (
            {"geveltuin_feasible": False, "remaining_walkway_m": 1.2},
            "assessment_notes",
            {
                "geveltuin_feasible": False,
                "remaining_walkway_m": 1.2,
                "assessment_notes": "Stoep te smal; plantenbak aangeboden.",
            },
        ),
    ],
    "green_accept_agreement": [
        (
            {"agreement_accepted": False},
            "agreement_remarks",
            {"agreement_accepted": False, "agreement_remarks": "Liever een plantenbak."},
        ),
    ],
    "wijkwens_check_admissibility": [
        (
            {"admissibility": "incomplete"},
            "admissibility_notes",
            {"admissibility": "incomplete", "admissibility_notes": "Begroting ontbreekt."},
        ),
        (
            {"admissibility": "rejected"},
            "admissibility_notes",
            {"admissibility": "rejected", "admissibility_notes": "Geen wens voor de wijk."},
        ),
        (
            {"advice_from": "vakafdeling"},
            "advice_question",
            {"advice_from": "vakafdeling", "advice_question": "Kan de bank op het plein?"},
        ),
    ],
    "wijkwens_decide": [
        ({"granted_amount": 0}, "granted_amount", {"granted_amount": 1500}),
        ({"decision": "reject"}, "granted_amount", {"decision": "reject", "granted_amount": 0}),
    ],
    "wijkwens_regiegroep_advice": [
        ({"advised_amount": 0}, "advised_amount", {"advised_amount": 250}),
        (
            {"advice": "hold"},
            "hold_reason",
            {"advice": "hold", "hold_reason": "Offerte ontbreekt."},
        ),
        ({"advice": "refer"}, "referral", {"advice": "refer", "referral": "simple_green"}),
        (
            {"advice": "refer", "referral": "other"},
            "referral_to",
            {"advice": "refer", "referral": "other", "referral_to": "Initiatievenfonds"},
        ),
    ],
}


def _schema(form: str) -> dict[str, Any]:
    return json.loads(Path(FORMS[form]).read_text(encoding="utf-8"))


def _rules(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's rules between fields, in order: top-level if/then, then allOf's, then
    dependentRequired."""
    found = [schema] if "if" in schema else []
    found += [sub for sub in schema.get("allOf", ()) if "if" in sub or "dependentRequired" in sub]
    if "dependentRequired" in schema:
        found.append(schema)
    return found


def _with(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The base answer with these changes; an empty text stands for a field left empty."""
    data = {**base, **changes}
    return {k: v for k, v in data.items() if v != ""}


def test_every_rule_has_its_cases() -> None:
    rules = {form: len(_rules(_schema(form))) for form in FORMS}
    assert {f: n for f, n in rules.items() if n} == {f: len(cases) for f, cases in RULES.items()}


@pytest.mark.parametrize("form", sorted(BASE))
def test_the_base_answer_is_valid(form: str) -> None:
    assert validate(_schema(form), BASE[form]).errors == ()


CASES = [(form, i, case) for form, cases in RULES.items() for i, case in enumerate(cases)]


@pytest.mark.parametrize(("form", "index", "case"), CASES, ids=[f"{f}-{i}" for f, i, _ in CASES])
def test_a_rule_refuses_what_breaks_it_on_its_field(
    form: str, index: int, case: tuple[dict[str, Any], str, dict[str, Any]]
) -> None:
    schema = _schema(form)
    breaking, field, keeping = case
    refused = validate(schema, _with(BASE[form], breaking))
    assert [e.field for e in refused.errors] == [field], refused.errors
    message = refused.errors[0].message
    rule = _rules(schema)[index]
    # the rule's own words, in Dutch, not the generic "is niet goed ingevuld"
    assert message in json.dumps(rule, ensure_ascii=False), message
    assert validate(schema, _with(BASE[form], keeping)).errors == ()


def test_a_refused_grant_keeps_no_amount_through_the_html_form() -> None:
    """The case from the field: "Weigeren" with € 5.000 written in; then with the amount left empty."""
    schema = _schema("decide_subsidy")
    refused = clean(schema, {"decision": "WEIGEREN", "granted_amount": "€ 5.000,00"})
    assert [(e.field, e.message) for e in refused.errors] == [
        (
            "granted_amount",
            "Bij weigeren wordt geen bedrag verleend: laat het bedrag leeg of vul € 0 in.",
        )
    ]
    assert refused.data["granted_amount"] == 5000  # what was typed stays on the form
    empty = clean(schema, {"decision": "WEIGEREN", "granted_amount": ""})
    assert empty.errors == ()
    assert "granted_amount" not in empty.data
    granted = clean(schema, {"decision": "VERLENEN", "granted_amount": ""})
    assert [(e.field, e.message) for e in granted.errors] == [
        ("granted_amount", "Vul het verleende bedrag in.")
    ]


def test_dependent_required_words_the_missing_field() -> None:
    schema = {
        "type": "object",
        "properties": {
            "iban": {"type": "string", "title": "IBAN"},
            "iban_name": {"type": "string", "title": "Tenaamstelling"},
        },
        "dependentRequired": {"iban": ["iban_name"]},
        "errorMessage": {"dependentRequired": "Bij een IBAN hoort de naam van de rekeninghouder."},
    }
    result = validate(schema, {"iban": "NL91ABNA0417164300"})
    assert [(e.field, e.message) for e in result.errors] == [
        ("iban_name", "Bij een IBAN hoort de naam van de rekeninghouder.")
    ]
    assert validate(schema, {}).errors == ()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_rules_a_process_owner_reads_name_no_codes(name: str) -> None:
    """The modeler's form preview lists each rule in words: field titles, option titles, ja/nee —
    never a data key, an option's value or a JSON Schema keyword."""
    from workflows.modeling_pages import cross_field_rules

    schema = json.loads(FORMS[name].read_text(encoding="utf-8"))
    words = " ".join(cross_field_rules(schema))
    codes = set(schema.get("properties", {}))
    for sub in schema.get("properties", {}).values():
        codes |= {str(o["const"]) for o in sub.get("oneOf", []) if isinstance(o.get("const"), str)}
    keywords = {"const", "minimum", "maximum", "exclusiveMinimum", "True", "False", "null"}
    shown = {c for c in codes | keywords if f"'{c}'" in words or f" {c} " in f" {words} "}
    assert not shown, f"{name}: codes in the rule text: {sorted(shown)}\n{words}"
