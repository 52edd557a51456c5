"""Task forms turn HTML submissions into typed data and explain every problem in Dutch, on its field."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import FIXTURES
from workflows.forms import FieldError, Option, clean, coerce, fields, validate

SUBMIT_REQUEST: dict[str, Any] = json.loads(
    (FIXTURES / "tiny" / "submit_request.schema.json").read_text(encoding="utf-8")
)

INITIATIVE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["naam", "adres", "thema", "akkoord"],
    "properties": {
        "naam": {"type": "string", "title": "Naam", "minLength": 2, "maxLength": 40},
        "email": {"type": "string", "title": "E-mailadres", "format": "email"},
        "adres": {
            "type": "object",
            "title": "Adres",
            "required": ["postcode"],
            "properties": {
                "straat": {"type": "string", "title": "Straat"},
                "postcode": {
                    "type": "string",
                    "title": "Postcode",
                    "pattern": "^[0-9]{4} ?[A-Z]{2}$",
                    "errorMessage": "Vul een postcode in zoals 3311 AB.",
                },
            },
        },
        "thema": {
            "type": "string",
            "title": "Thema",
            "oneOf": [
                {"const": "groen", "title": "Groen"},
                {"const": "spelen", "title": "Spelen"},
                {"const": "verkeer", "title": "Verkeer"},
            ],
        },
        "wijken": {
            "type": "array",
            "title": "Wijken",
            "items": {"enum": ["centrum", "crabbehof", "sterrenburg"]},
            "minItems": 1,
            "maxItems": 2,
            "uniqueItems": True,
        },
        "deelnemers": {
            "type": "integer",
            "title": "Aantal deelnemers",
            "minimum": 1,
            "maximum": 500,
        },
        "bedrag": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 25000},
        "startdatum": {"type": "string", "title": "Startdatum", "format": "date"},
        "website": {"type": "string", "title": "Website", "format": "uri"},
        "akkoord": {"type": "boolean", "title": "Ik ga akkoord", "const": True},
        "nieuwsbrief": {"type": "boolean", "title": "Nieuwsbrief"},
        "onderdelen": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["naam"],
                "properties": {"naam": {"type": "string"}},
            },
        },
    },
}

VALID: dict[str, Any] = {
    "naam": "Buurtvereniging Crabbehof",
    "adres": {"postcode": "3311 AB"},
    "thema": "groen",
    "akkoord": True,
}


def _messages(result_errors: tuple[FieldError, ...]) -> dict[str, str]:
    return {e.field: e.message for e in result_errors}


# ---------------------------------------------------------------- validate: messages per keyword


def test_valid_data_gives_no_errors_and_keeps_the_data() -> None:
    result = validate(INITIATIVE, VALID)
    assert result.ok
    assert result.errors == ()
    assert result.data == VALID


def test_missing_field_is_reported_on_its_own_path_not_on_the_parent() -> None:
    result = validate(SUBMIT_REQUEST, {"amount": 5})
    assert result.errors == (FieldError("title", "Vul dit veld in."),)
    assert not result.ok


def test_missing_nested_field_is_reported_on_its_dotted_path() -> None:
    result = validate(INITIATIVE, {**VALID, "adres": {"straat": "Kerkplein"}})
    assert result.errors == (FieldError("adres.postcode", "Vul dit veld in."),)


def test_several_missing_fields_each_get_their_own_error() -> None:
    result = validate(SUBMIT_REQUEST, {})
    assert result.errors == (
        FieldError("amount", "Vul dit veld in."),
        FieldError("title", "Vul dit veld in."),
    )


def test_a_missing_choice_asks_to_choose() -> None:
    data = {k: v for k, v in VALID.items() if k != "thema"}
    assert validate(INITIATIVE, data).error_for("thema") == "Maak een keuze."


def test_all_errors_are_collected_at_once_in_schema_order() -> None:
    data = {
        "naam": "X",
        "adres": {"postcode": "33"},
        "thema": "sport",
        "deelnemers": 0,
        "akkoord": False,
    }
    result = validate(INITIATIVE, data)
    assert [e.field for e in result.errors] == [
        "naam",
        "adres.postcode",
        "thema",
        "deelnemers",
        "akkoord",
    ]


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        ({"type": "number"}, "tien", "Vul een getal in."),
        ({"type": "integer"}, 1.5, "Vul een geheel getal in."),
        ({"type": "boolean"}, "misschien", "Kies ja of nee."),
        ({"type": "string"}, 12, "Vul tekst in."),
        ({"type": ["integer", "null"]}, "x", "Vul een geheel getal in."),
    ],
)
def test_wrong_type_gets_a_dutch_message(schema: dict[str, Any], value: Any, message: str) -> None:
    form = {"type": "object", "properties": {"veld": schema}}
    assert validate(form, {"veld": value}).errors == (FieldError("veld", message),)


def test_amount_below_minimum_names_the_field_and_uses_euro_notation() -> None:
    result = validate(SUBMIT_REQUEST, {"amount": -1, "title": "Bankje"})
    assert result.errors == (FieldError("amount", "Bedrag moet minimaal € 0 zijn."),)


def test_exclusive_bounds_of_an_untitled_amount_speak_of_het_bedrag() -> None:
    low = validate(INITIATIVE, {**VALID, "bedrag": 0})
    high = validate(INITIATIVE, {**VALID, "bedrag": 30000.5})
    assert low.error_for("bedrag") == "Het bedrag moet groter zijn dan € 0."
    assert high.error_for("bedrag") == "Het bedrag moet kleiner zijn dan € 25.000."


def test_amount_with_cents_in_a_bound_is_written_with_a_decimal_comma() -> None:
    form = {
        "type": "object",
        "properties": {"price": {"type": "number", "format": "money", "maximum": 1234.5}},
    }
    assert (
        validate(form, {"price": 2000}).error_for("price")
        == "Het bedrag mag hoogstens € 1.234,50 zijn."
    )


def test_bounds_of_a_plain_number_are_not_written_as_money() -> None:
    too_many = validate(INITIATIVE, {**VALID, "deelnemers": 501})
    too_few = validate(INITIATIVE, {**VALID, "deelnemers": 0})
    assert too_many.error_for("deelnemers") == "Aantal deelnemers mag hoogstens 500 zijn."
    assert too_few.error_for("deelnemers") == "Aantal deelnemers moet minimaal 1 zijn."


def test_a_question_title_is_not_used_as_the_subject_of_a_message() -> None:
    form = {
        "type": "object",
        "properties": {"n": {"type": "number", "title": "Hoeveel?", "minimum": 2.5}},
    }
    assert validate(form, {"n": 1}).error_for("n") == "De waarde moet minimaal 2,5 zijn."


def test_text_length_limits_are_explained() -> None:
    short = validate(INITIATIVE, {**VALID, "naam": "X"})
    long = validate(INITIATIVE, {**VALID, "naam": "X" * 41})
    assert short.error_for("naam") == "Gebruik minimaal 2 tekens."
    assert long.error_for("naam") == "Gebruik hoogstens 40 tekens."


def test_an_empty_text_with_min_length_one_asks_to_fill_it_in() -> None:
    assert (
        validate(SUBMIT_REQUEST, {"amount": 1, "title": ""}).error_for("title")
        == "Vul dit veld in."
    )


def test_pattern_uses_the_schemas_own_error_message() -> None:
    result = validate(INITIATIVE, {**VALID, "adres": {"postcode": "33"}})
    assert result.errors == (FieldError("adres.postcode", "Vul een postcode in zoals 3311 AB."),)


def test_pattern_without_own_message_gets_a_generic_dutch_text() -> None:
    form = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]+$"}}}
    assert (
        validate(form, {"code": "abc"}).error_for("code")
        == "De ingevulde waarde heeft niet de juiste vorm."
    )


def test_error_message_object_overrides_a_single_keyword() -> None:
    form = {
        "type": "object",
        "required": ["pc"],
        "properties": {
            "pc": {"type": "string", "errorMessage": {"required": "Vul uw postcode in."}}
        },
    }
    assert validate(form, {}).error_for("pc") == "Vul uw postcode in."


def test_enum_choice_lists_the_titles_from_one_of_const() -> None:
    result = validate(INITIATIVE, {**VALID, "thema": "sport"})
    assert result.errors == (
        FieldError("thema", "Kies een van de opties: Groen, Spelen of Verkeer."),
    )


def test_enum_choice_lists_the_values_when_there_are_no_titles() -> None:
    form = {"type": "object", "properties": {"maat": {"enum": ["S", "M", "L"]}}}
    assert validate(form, {"maat": "XL"}).error_for("maat") == "Kies een van de opties: S, M of L."


def test_enum_choice_with_enum_names_uses_those_labels() -> None:
    form = {"type": "object", "properties": {"n": {"enum": [1, 2], "enumNames": ["Eén", "Twee"]}}}
    assert validate(form, {"n": 3}).error_for("n") == "Kies een van de opties: Eén of Twee."


def test_long_enum_refers_to_the_list_instead_of_listing_everything() -> None:
    form = {"type": "object", "properties": {"n": {"enum": list(range(11))}}}
    assert validate(form, {"n": 99}).error_for("n") == "Kies een van de opties uit de lijst."


def test_wrong_choice_in_a_multi_select_is_reported_on_the_list_field() -> None:
    result = validate(INITIATIVE, {**VALID, "wijken": ["centrum", "dubbeldam"]})
    assert result.errors == (
        FieldError("wijken", "Kies een van de opties: centrum, crabbehof of sterrenburg."),
    )


def test_number_of_chosen_items_is_checked() -> None:
    none = validate(INITIATIVE, {**VALID, "wijken": []})
    three = validate(INITIATIVE, {**VALID, "wijken": ["centrum", "crabbehof", "sterrenburg"]})
    twice = validate(INITIATIVE, {**VALID, "wijken": ["centrum", "centrum"]})
    assert none.error_for("wijken") == "Kies minimaal 1 optie."
    assert three.error_for("wijken") == "Kies hoogstens 2 opties."
    assert twice.error_for("wijken") == "Kies elke optie maar één keer."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "jan@", "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."),
        (
            "email",
            "jan@dordrecht",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.",
        ),
        ("startdatum", "2025-02-30", "Vul een geldige datum in, bijvoorbeeld 31-12-2025."),
        (
            "website",
            "www dordrecht",
            "Vul een geldig webadres in, bijvoorbeeld https://www.dordrecht.nl.",
        ),
        (
            "website",
            "https://",
            "Vul een geldig webadres in, bijvoorbeeld https://www.dordrecht.nl.",
        ),
    ],
)
def test_formats_are_checked_with_dutch_messages(field: str, value: str, message: str) -> None:
    assert validate(INITIATIVE, {**VALID, field: value}).errors == (FieldError(field, message),)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "jan.jansen@dordrecht.nl"),
        ("startdatum", "2025-12-31"),
        ("website", "https://www.dordrecht.nl/initiatief"),
    ],
)
def test_well_formed_values_pass_the_format_checks(field: str, value: str) -> None:
    assert validate(INITIATIVE, {**VALID, field: value}).ok


def test_unknown_field_is_named_on_its_own_path() -> None:
    result = validate(INITIATIVE, {**VALID, "kleur": "rood", "maat": "L"})
    assert result.errors == (
        FieldError("kleur", "Onbekend veld: kleur"),
        FieldError("maat", "Onbekend veld: maat"),
    )


def test_const_true_on_a_checkbox_asks_to_tick_it() -> None:
    assert (
        validate(INITIATIVE, {**VALID, "akkoord": False}).error_for("akkoord")
        == "Vink dit vakje aan."
    )


def test_other_const_names_the_expected_value() -> None:
    form = {"type": "object", "properties": {"v": {"const": "ja, zeker"}}}
    assert validate(form, {"v": "nee"}).error_for("v") == "De waarde moet ja, zeker zijn."


def test_errors_inside_a_list_of_objects_carry_the_index() -> None:
    result = validate(INITIATIVE, {**VALID, "onderdelen": [{"naam": "a"}, {"naam": "b"}, {}]})
    assert result.errors == (FieldError("onderdelen[2].naam", "Vul dit veld in."),)


def test_unknown_keyword_failure_falls_back_to_a_message_naming_the_field() -> None:
    form = {
        "type": "object",
        "properties": {"code": {"type": "string", "title": "Code", "not": {"const": "x"}}},
    }
    assert validate(form, {"code": "x"}).error_for("code") == "‘Code’ is niet goed ingevuld."


def test_form_level_failure_is_reported_on_the_empty_path() -> None:
    form = {"type": "object", "minProperties": 1, "properties": {"a": {"type": "string"}}}
    assert validate(form, {}).errors == (FieldError("", "Het formulier is niet goed ingevuld."),)


def test_each_field_shows_only_its_first_message() -> None:
    form = {
        "type": "object",
        "properties": {"c": {"type": "string", "minLength": 5, "pattern": "^[0-9]+$"}},
    }
    assert validate(form, {"c": "ab"}).errors == (FieldError("c", "Gebruik minimaal 5 tekens."),)


def test_the_schemas_own_draft_is_used() -> None:
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"n": {"type": "integer", "exclusiveMaximum": True, "maximum": 3}},
    }
    # draft 4 reads exclusiveMaximum as a flag; draft 2020-12 would reject the schema's boolean
    assert validate(draft4, {"n": 2}).ok
    assert not validate(draft4, {"n": 3}).ok


# ---------------------------------------------------------------- coerce


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1234", 1234),
        ("1.234,56", 1234.56),
        ("1234,56", 1234.56),
        ("1234.56", 1234.56),
        ("1.234.567", 1234567),
        ("0.125", 0.125),
        ("€ 1.234,56", 1234.56),
        ("€50,-", 50),
        ("  12 ", 12),
        ("-3,5", -3.5),
        ("€ -3", -3),
        ("1\u00a0234,5", 1234.5),
    ],
)
def test_dutch_and_plain_number_notations_are_read(typed: str, expected: float) -> None:
    form = {"type": "object", "properties": {"n": {"type": "number"}}}
    data, errors = coerce(form, {"n": typed})
    assert errors == ()
    assert data == {"n": expected}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Vul een getal in, bijvoorbeeld 1234,56."),
        ("1e5", "Vul een getal in, bijvoorbeeld 1234,56."),
        ("--5", "Vul een getal in, bijvoorbeeld 1234,56."),
        (
            "1,2,3",
            "Gebruik een komma voor de decimalen en eventueel punten tussen de duizendtallen, bijvoorbeeld 1.234,56.",
        ),
        (
            "1.234.5",
            "Gebruik een komma voor de decimalen en eventueel punten tussen de duizendtallen, bijvoorbeeld 1.234,56.",
        ),
        (
            "1,234.56",
            "Gebruik een komma voor de decimalen en eventueel punten tussen de duizendtallen, bijvoorbeeld 1.234,56.",
        ),
        (
            "12.34,5",
            "Gebruik een komma voor de decimalen en eventueel punten tussen de duizendtallen, bijvoorbeeld 1.234,56.",
        ),
        (
            "1.234",
            "Bedoelt u 1234 of 1,234? Schrijf het getal zonder punt, of met een komma voor de decimalen.",
        ),
    ],
)
def test_garbage_and_ambiguous_numbers_are_refused_not_guessed(typed: str, message: str) -> None:
    form = {"type": "object", "properties": {"n": {"type": "number"}}}
    data, errors = coerce(form, {"n": typed})
    assert errors == (FieldError("n", message),)
    assert data == {"n": typed}


def test_integer_field_refuses_a_fraction_but_accepts_whole_decimals() -> None:
    form = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert coerce(form, {"n": "12,5"}) == (
        {"n": "12,5"},
        (FieldError("n", "Vul een geheel getal in, zonder cijfers achter de komma."),),
    )
    assert coerce(form, {"n": "12,00"}) == ({"n": 12}, ())
    assert coerce(form, {"n": "twaalf"})[1] == (
        FieldError("n", "Vul een geheel getal in, bijvoorbeeld 12."),
    )


def test_amount_refuses_more_than_two_decimals() -> None:
    data, errors = coerce(SUBMIT_REQUEST, {"amount": "1,234", "title": "x"})
    assert errors == (
        FieldError("amount", "Gebruik voor een bedrag hoogstens twee cijfers achter de komma."),
    )
    assert data["amount"] == "1,234"


def test_amount_garbage_asks_for_an_amount() -> None:
    _, errors = coerce(SUBMIT_REQUEST, {"amount": "veel", "title": "x"})
    assert errors == (FieldError("amount", "Vul een bedrag in, bijvoorbeeld 1.234,56."),)


@pytest.mark.parametrize("ticked", ["on", "true", "1", "ja", "JA", ["false", "on"]])
def test_ticked_checkbox_becomes_true(ticked: str | list[str]) -> None:
    data, errors = coerce(INITIATIVE, {"akkoord": ticked})
    assert errors == ()
    assert data["akkoord"] is True


def test_absent_checkbox_becomes_false() -> None:
    data, errors = coerce(INITIATIVE, {})
    assert errors == ()
    assert data["akkoord"] is False
    assert data["nieuwsbrief"] is False


def test_unreadable_checkbox_value_is_kept_and_reported() -> None:
    data, errors = coerce(INITIATIVE, {"akkoord": "misschien"})
    assert data["akkoord"] == "misschien"
    assert errors == (FieldError("akkoord", "Kies ja of nee."),)


def test_empty_optional_fields_are_omitted_and_text_is_trimmed() -> None:
    data, errors = coerce(
        INITIATIVE, {"naam": "  Jan  ", "email": "", "deelnemers": "   ", "website": " "}
    )
    assert errors == ()
    assert data["naam"] == "Jan"
    assert "email" not in data
    assert "deelnemers" not in data
    assert "website" not in data


def test_empty_required_field_is_omitted_so_required_speaks() -> None:
    result = clean(SUBMIT_REQUEST, {"amount": "10", "title": "   "})
    assert result.data == {"amount": 10}
    assert result.errors == (FieldError("title", "Vul dit veld in."),)


def test_dotted_names_fill_nested_objects() -> None:
    data, errors = coerce(INITIATIVE, {"adres.straat": "Kerkplein 1", "adres.postcode": "3311 AB"})
    assert errors == ()
    assert data["adres"] == {"straat": "Kerkplein 1", "postcode": "3311 AB"}


def test_multi_select_becomes_a_list_and_a_single_value_a_list_of_one() -> None:
    assert coerce(INITIATIVE, {"wijken": ["centrum", "", "crabbehof"]})[0]["wijken"] == [
        "centrum",
        "crabbehof",
    ]
    assert coerce(INITIATIVE, {"wijken": "centrum"})[0]["wijken"] == ["centrum"]
    assert "wijken" not in coerce(INITIATIVE, {"wijken": []})[0]


def test_array_of_numbers_is_typed_and_a_bad_item_keeps_the_whole_input() -> None:
    form = {
        "type": "object",
        "properties": {"jaren": {"type": "array", "items": {"type": "integer"}}},
    }
    assert coerce(form, {"jaren": ["2024", "2025"]}) == ({"jaren": [2024, 2025]}, ())
    data, errors = coerce(form, {"jaren": ["2024", "vorig jaar"]})
    assert data == {"jaren": ["2024", "vorig jaar"]}
    assert errors == (FieldError("jaren", "Vul een geheel getal in, bijvoorbeeld 12."),)


def test_enum_options_map_back_to_their_typed_values() -> None:
    form = {
        "type": "object",
        "properties": {
            "niveau": {"type": "integer", "enum": [1, 2, 3]},
            "spoed": {"oneOf": [{"const": True, "title": "Ja"}, {"const": False, "title": "Nee"}]},
        },
    }
    assert coerce(form, {"niveau": "2", "spoed": "false"}) == ({"niveau": 2, "spoed": False}, ())


def test_dutch_dates_become_iso_dates_and_nonsense_stays_as_typed() -> None:
    assert coerce(INITIATIVE, {"startdatum": "1-2-2026"})[0]["startdatum"] == "2026-02-01"
    assert coerce(INITIATIVE, {"startdatum": "2026-02-01"})[0]["startdatum"] == "2026-02-01"
    assert coerce(INITIATIVE, {"startdatum": "31-02-2026"})[0]["startdatum"] == "31-02-2026"


def test_two_different_values_for_a_single_field_are_kept_and_reported() -> None:
    data, errors = coerce(INITIATIVE, {"naam": ["Jan", "Piet"]})
    assert data["naam"] == ["Jan", "Piet"]
    assert errors == (FieldError("naam", "Vul hier één waarde in."),)


def test_fields_the_schema_does_not_declare_are_not_copied() -> None:
    data, _ = coerce(INITIATIVE, {"csrf_token": "abc", "actie": "opslaan", "naam": "Jan"})
    assert "csrf_token" not in data
    assert "actie" not in data


# ---------------------------------------------------------------- clean


def test_clean_accepts_a_valid_submission_of_the_real_schema() -> None:
    result = clean(SUBMIT_REQUEST, {"amount": "€ 1.250,00", "title": " Bankje bij de speeltuin "})
    assert result.ok
    assert result.data == {"amount": 1250, "title": "Bankje bij de speeltuin"}


def test_clean_rejects_an_invalid_submission_of_the_real_schema() -> None:
    result = clean(SUBMIT_REQUEST, {"amount": "-5", "title": ""})
    assert result.errors == (
        FieldError("amount", "Bedrag moet minimaal € 0 zijn."),
        FieldError("title", "Vul dit veld in."),
    )
    assert result.data == {"amount": -5}


def test_clean_keeps_the_raw_input_and_reports_one_error_per_field() -> None:
    result = clean(SUBMIT_REQUEST, {"amount": "1,2,3", "title": "Bankje"})
    assert result.data == {"amount": "1,2,3", "title": "Bankje"}
    # the type error from validation on the same field is not repeated
    assert result.errors == (
        FieldError(
            "amount",
            "Gebruik een komma voor de decimalen en eventueel punten tussen de duizendtallen, bijvoorbeeld 1.234,56.",
        ),
    )


def test_clean_reports_conversion_and_validation_errors_together_in_field_order() -> None:
    raw = {"naam": "Jan", "adres.postcode": "33", "thema": "groen", "deelnemers": "veel"}
    result = clean(INITIATIVE, raw)
    assert _messages(result.errors) == {
        "adres.postcode": "Vul een postcode in zoals 3311 AB.",
        "deelnemers": "Vul een geheel getal in, bijvoorbeeld 12.",
        "akkoord": "Vink dit vakje aan.",
    }
    assert [e.field for e in result.errors] == ["adres.postcode", "deelnemers", "akkoord"]


def test_clean_of_a_missing_nested_object_points_at_the_nested_field() -> None:
    result = clean(INITIATIVE, {"naam": "Jan", "thema": "groen", "akkoord": "on"})
    assert result.errors == (FieldError("adres.postcode", "Vul dit veld in."),)


# ---------------------------------------------------------------- fields


def test_fields_follow_the_schema_order_with_nested_fields_after_their_group() -> None:
    names = [f.name for f in fields(INITIATIVE)]
    assert names == [
        "naam",
        "email",
        "adres",
        "adres.straat",
        "adres.postcode",
        "thema",
        "wijken",
        "deelnemers",
        "bedrag",
        "startdatum",
        "website",
        "akkoord",
        "nieuwsbrief",
        "onderdelen",
    ]


def test_fields_mark_required_fields_including_nested_ones() -> None:
    required = {f.name for f in fields(INITIATIVE) if f.required}
    assert required == {"naam", "adres", "adres.postcode", "thema", "akkoord"}


def test_fields_of_the_real_schema_carry_title_help_type_and_money() -> None:
    amount, title = fields(SUBMIT_REQUEST)
    assert (amount.name, amount.title, amount.type, amount.required) == (
        "amount",
        "Bedrag",
        "number",
        True,
    )
    assert amount.help == "Het aangevraagde bedrag in euro's (0 of meer)."
    assert amount.money
    assert amount.widget == "money"
    assert (title.name, title.type, title.widget, title.money) == ("title", "string", "text", False)


def test_fields_give_option_values_and_labels() -> None:
    by_name = {f.name: f for f in fields(INITIATIVE)}
    assert by_name["thema"].options == (
        Option("groen", "Groen"),
        Option("spelen", "Spelen"),
        Option("verkeer", "Verkeer"),
    )
    assert by_name["thema"].widget == "radio"
    assert by_name["wijken"].widget == "checkboxes"
    assert [o.value for o in by_name["wijken"].options] == ["centrum", "crabbehof", "sterrenburg"]


def test_fields_suggest_widgets_from_type_and_format() -> None:
    widgets = {f.name: f.widget for f in fields(INITIATIVE)}
    assert widgets["adres"] == "fieldset"
    assert widgets["email"] == "email"
    assert widgets["startdatum"] == "date"
    assert widgets["website"] == "url"
    assert widgets["deelnemers"] == "number"
    assert widgets["akkoord"] == "checkbox"
    assert widgets["onderdelen"] == "unsupported"


def test_ui_schema_reorders_and_overrides_widget_and_help() -> None:
    ui = {
        "ui:order": ["title", "*"],
        "title": {"ui:widget": "textarea", "ui:help": "Kort en krachtig."},
    }
    title, amount = fields(SUBMIT_REQUEST, ui)
    assert (title.name, title.widget, title.help) == ("title", "textarea", "Kort en krachtig.")
    assert amount.name == "amount"


def test_fields_follow_local_refs() -> None:
    form = {
        "type": "object",
        "$defs": {
            "adres": {
                "type": "object",
                "required": ["pc"],
                "properties": {"pc": {"type": "string"}},
            }
        },
        "properties": {"adres": {"$ref": "#/$defs/adres"}},
    }
    assert [(f.name, f.required) for f in fields(form)] == [("adres", False), ("adres.pc", True)]
    assert coerce(form, {"adres.pc": " 3311 AB "})[0] == {"adres": {"pc": "3311 AB"}}


# ---------------------------------------------------------------- numbers are numbers

from workflows import bootstrap as _bootstrap  # noqa: E402 - the section's own import

NUMERIC_FIELDS = [
    (path.name, name, sub)
    for path in sorted(_bootstrap.BPMN_DIR.rglob("*.schema.json"))
    for name, sub in json.loads(path.read_text(encoding="utf-8")).get("properties", {}).items()
    if sub.get("type") in ("number", "integer")
]
#: what a probe typed into amount fields: a 4,301-digit number (Python refuses to print it),
#: Arabic-Indic and full-width digits, words a float() would take, and an absurd width
HOSTILE_NUMBERS = {
    "4,301 digits": "9" * 4301,
    "arabic-indic": "٣٠٠",
    "full-width": "３００",
    "mixed": "3٠0",
    "nan": "NaN",
    "infinity": "Infinity",
    "exponent": "1e999",
}


def test_every_numeric_field_of_every_form_has_a_maximum() -> None:
    assert len(NUMERIC_FIELDS) >= 9
    unbounded = [
        (form, name)
        for form, name, sub in NUMERIC_FIELDS
        if "maximum" not in sub and "exclusiveMaximum" not in sub
    ]
    assert unbounded == []


@pytest.mark.parametrize(("form", "name", "sub"), NUMERIC_FIELDS, ids=lambda v: str(v)[:40])
def test_every_numeric_field_refuses_what_is_not_an_ascii_number_with_a_dutch_message(
    form: str, name: str, sub: dict[str, Any]
) -> None:
    schema = {"type": "object", "properties": {name: sub}}
    for what, typed in HOSTILE_NUMBERS.items():
        result = clean(schema, {name: typed})
        message = result.error_for(name)
        assert message, f"{form} {name}: {what} was accepted"
        assert len(message) < 200, message  # never the value echoed back
        assert re.search(r"\b(getal|bedrag|cijfers)\b", message), (what, message)
        assert not re.search(r"\b(is not|Exceeds|invalid|object)\b", message), message
    above = sub.get("maximum", sub.get("exclusiveMaximum", 0)) + 1
    result = clean(schema, {name: str(int(above))})
    assert result.error_for(name), f"{form} {name}: {above} above the maximum was accepted"
    assert "hoogstens" in (result.error_for(name) or "") or "maximaal" in (
        result.error_for(name) or ""
    ), result.error_for(name)
