"""Task forms: turn HTML submissions into typed data and validate it against the form's JSON Schema, in Dutch.

Four entry points, all pure functions over a JSON Schema dict (the file a user task names in
`formJsonSchemaFilename`):

- `coerce(schema, raw)` turns an HTML submission (all strings) into typed values;
- `validate(schema, data)` checks data with the schema's own draft and returns every error,
  each tied to its field and worded in Dutch;
- `clean(schema, raw)` does both, which is what a task view calls;
- `fields(schema, ui_schema)` describes the fields in order, for the template that renders them.

Field paths name a field the way a form input does: `amount`, `address.postcode`, `items[2].name`.
The empty path `""` means the form as a whole. A form shows at most one message per field (the first
that applies: a failed conversion, then a missing value, a choice, the type, the rest in schema order).

Money: a number/integer field is an amount when its schema says `"format": "money"` or its property
name contains "amount" or "bedrag" (any case). Amounts are written the Dutch way in messages
("€ 1.234,56"; whole amounts without decimals: "€ 0") and may have at most two decimals.

Own keywords a form schema may use (ignored by JSON Schema itself):
- `errorMessage`: a string replaces the message for `pattern` and `format` errors of that field;
  an object maps a keyword to its message (`{"required": "Vul uw postcode in."}`). On a rule
  (the `then` of an `if`, or a schema with `dependentRequired`) `{"required": ...}` words every
  field the rule requires, so the message says why the field is needed now.

Rules between fields are plain JSON Schema (`if`/`then` under `allOf`, `dependentRequired`,
`const`, `exclusiveMinimum` …); their messages land on the field they are about, never on the
form as a whole.
- `enumNames`, or `oneOf`/`anyOf` of `{"const": ..., "title": ...}`: labels of the options.

It is one module (~850 lines) of pure functions over one schema: converting, checking and
describing a field must agree on how the schema reads (money, dates, options), so they share
its helpers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from jsonschema import FormatChecker, ValidationError
from jsonschema.validators import Draft202012Validator, validator_for

RawForm = Mapping[str, str | list[str]]
PathPart = str | int

MAX_LISTED_OPTIONS = 10
"""Enum messages list the options up to this many; beyond it they refer to the list on screen."""

# ---------------------------------------------------------------- public types


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: where (a field path, "" for the whole form) and what, in Dutch."""

    field: str
    message: str


@dataclass(frozen=True)
class FormResult:
    """The outcome of checking a form: the (coerced) data and every field error found."""

    data: dict[str, Any]
    errors: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors

    def error_for(self, path: str) -> str | None:
        """The message for this field path, or None."""
        return next((e.message for e in self.errors if e.field == path), None)


@dataclass(frozen=True)
class Option:
    """One choice of an enum field: `value` goes into the HTML, `label` is shown to the user."""

    value: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    """One field to render: its input name (= path), texts, type, choices and widget hint."""

    name: str
    title: str
    help: str
    type: str
    required: bool
    widget: str
    options: tuple[Option, ...] = ()
    money: bool = False
    format: str | None = None
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


# ---------------------------------------------------------------- messages

MSG_REQUIRED = "Vul dit veld in."
MSG_REQUIRED_CHOICE = "Maak een keuze."
MSG_REQUIRED_ITEMS = "Kies minimaal één optie."
MSG_TYPE = {
    "integer": "Vul een geheel getal in.",
    "number": "Vul een getal in.",
    "boolean": "Kies ja of nee.",
    "string": "Vul tekst in.",
    "array": "Kies een of meer waarden.",
    "object": "Vul de onderdelen van dit veld in.",
    "null": "Laat dit veld leeg.",
}
MSG_FORMAT = {
    "email": "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.",
    "date": "Vul een geldige datum in, bijvoorbeeld 31-12-2025.",
    "uri": "Vul een geldig webadres in, bijvoorbeeld https://www.dordrecht.nl.",
}
MSG_FORMAT_OTHER = "De ingevulde waarde heeft niet de juiste vorm."
MSG_PATTERN = "De ingevulde waarde heeft niet de juiste vorm."
MSG_UNIQUE = "Kies elke optie maar één keer."
MSG_CHECK_BOX = "Vink dit vakje aan."
MSG_NUMBER = "Vul een getal in, bijvoorbeeld 1234,56."
MSG_INTEGER = "Vul een geheel getal in, bijvoorbeeld 12."
MSG_WHOLE = "Vul een geheel getal in, zonder cijfers achter de komma."
MSG_MONEY = "Vul een bedrag in, bijvoorbeeld 1.234,56."
MSG_SEPARATORS = "Gebruik een komma voor de decimalen en eventueel punten tussen de duizendtallen, bijvoorbeeld 1.234,56."
MSG_MONEY_DECIMALS = "Gebruik voor een bedrag hoogstens twee cijfers achter de komma."
MSG_BOOLEAN = "Kies ja of nee."
MSG_DIGITS = "Gebruik de cijfers 0 tot en met 9, bijvoorbeeld 1.234,56."
MSG_TOO_LONG = "Dit getal is te lang: gebruik hoogstens 15 cijfers."
MSG_ONE_VALUE = "Vul hier één waarde in."


# ---------------------------------------------------------------- validate


def validate(schema: Mapping[str, Any], data: Mapping[str, Any]) -> FormResult:
    """Check data against the schema (its own draft) and return every error, per field, in Dutch."""
    validator = _validator(schema)
    candidates: list[tuple[str, int, str]] = []
    for error in validator.iter_errors(dict(data)):
        for path, message in _translate(schema, error):
            candidates.append((path, _rank(error), message))
    candidates.sort(key=lambda c: c[1])  # stable: schema order within a rank
    return FormResult(
        dict(data), _one_per_field(schema, (FieldError(p, m) for p, _, m in candidates))
    )


def clean(schema: Mapping[str, Any], raw: RawForm) -> FormResult:
    """Coerce an HTML submission and validate it; conversion errors win over validation errors."""
    data, coerce_errors = coerce(schema, raw)
    checked = validate(schema, data)
    return FormResult(data, _one_per_field(schema, [*coerce_errors, *checked.errors]))


def _validator(schema: Mapping[str, Any]) -> Any:
    """The validator class of the schema's draft (2020-12 when it names none), with our formats."""
    cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema, format_checker=FORMATS)


def _rank(error: ValidationError) -> int:
    """Which message a field shows first when several apply."""
    keyword = str(error.validator)
    if keyword == "required":
        return 0
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if keyword in ("enum", "const") or (keyword in ("oneOf", "anyOf") and _options(schema)):
        return 1
    if keyword == "type":
        return 2
    return 3


def _translate(root: Mapping[str, Any], error: ValidationError) -> list[tuple[str, str]]:
    """One jsonschema error as (field path, Dutch message) pairs."""
    parts = list(error.absolute_path)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    keyword = str(error.validator)
    value = error.validator_value
    instance = error.instance

    if keyword in ("required", "dependentRequired") and isinstance(instance, Mapping):
        # a rule (an `if`/`then`, `dependentRequired`) words the fields it requires itself
        own = _own_message(schema, keyword)
        names = value if keyword == "required" else _dependent_missing(value, instance)
        return [
            (
                _path(root, [*parts, name]),
                own or _required_message(root, _declared(root, [*parts, name])),
            )
            for name in dict.fromkeys(names)
            if name not in instance
        ]
    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        return [
            (_path(root, [*parts, name]), f"Onbekend veld: {name}")
            for name in _additional(schema, instance)
        ]

    path = _path(root, parts)
    name = next((p for p in reversed(parts) if isinstance(p, str)), "")
    return [(path, _message(root, schema, keyword, value, instance, name, path))]


def _message(
    root: Mapping[str, Any],
    schema: Mapping[str, Any],
    keyword: str,
    value: Any,
    instance: Any,
    name: str,
    path: str,
) -> str:
    """The Dutch text for one failed keyword of one field."""
    own = _own_message(schema, keyword)
    if own:
        return own
    money = _is_money(schema, name)
    label = _subject(schema, money)
    if keyword == "type":
        wanted = value if isinstance(value, str) else next((t for t in value if t != "null"), "")
        return MSG_TYPE.get(wanted, _generic(schema, path))
    if keyword == "minimum":
        return f"{label} moet minimaal {_number(value, money)} zijn."
    if keyword == "maximum":
        return f"{label} mag hoogstens {_number(value, money)} zijn."
    if keyword == "exclusiveMinimum":
        return f"{label} moet groter zijn dan {_number(value, money)}."
    if keyword == "exclusiveMaximum":
        return f"{label} moet kleiner zijn dan {_number(value, money)}."
    if keyword == "multipleOf":
        if money and value == 0.01:
            return MSG_MONEY_DECIMALS
        return f"{label} moet een veelvoud van {_number(value, money)} zijn."
    if keyword == "minLength":
        return MSG_REQUIRED if value == 1 else f"Gebruik minimaal {value} tekens."
    if keyword == "maxLength":
        return f"Gebruik hoogstens {value} {'teken' if value == 1 else 'tekens'}."
    if keyword == "pattern":
        return MSG_PATTERN
    if keyword == "format":
        return MSG_FORMAT.get(str(value), MSG_FORMAT_OTHER)
    if keyword == "enum" or (keyword in ("oneOf", "anyOf") and _options(schema)):
        return _choose_message(_options(schema))
    if keyword == "const":
        if value is True:
            return MSG_CHECK_BOX
        return f"De waarde moet {_label(value)} zijn."
    if keyword == "minItems":
        return f"Kies minimaal {value} {'optie' if value == 1 else 'opties'}."
    if keyword == "maxItems":
        return f"Kies hoogstens {value} {'optie' if value == 1 else 'opties'}."
    if keyword == "uniqueItems":
        return MSG_UNIQUE
    return _generic(schema, path)


def _own_message(schema: Mapping[str, Any], keyword: str) -> str | None:
    """The schema author's `errorMessage` for this keyword, if any."""
    own = schema.get("errorMessage")
    if isinstance(own, str) and keyword in ("pattern", "format"):
        return own
    if isinstance(own, Mapping) and isinstance(own.get(keyword), str):
        return str(own[keyword])
    return None


def _required_message(root: Mapping[str, Any], missing: Mapping[str, Any]) -> str:
    """The message for a missing field, worded for its kind (text, choice or list)."""
    missing = _resolve(root, missing)
    own = _own_message(missing, "required")
    if own:
        return own
    if _kind(missing) == "array":
        return MSG_REQUIRED_ITEMS
    if _options(missing):
        return MSG_REQUIRED_CHOICE
    return MSG_REQUIRED


def _dependent_missing(rule: Any, instance: Mapping[str, Any]) -> list[str]:
    """The fields `dependentRequired` asks for because the fields they depend on are filled in."""
    if not isinstance(rule, Mapping):
        return []
    return [
        str(name)
        for present, needed in rule.items()
        if present in instance
        for name in needed
        if name not in instance
    ]


def _declared(root: Mapping[str, Any], parts: Sequence[PathPart]) -> Mapping[str, Any]:
    """The schema the form declares for the field at this path ({} when it declares none)."""
    schema = _resolve(root, root)
    for part in parts:
        if isinstance(part, int):
            schema = _resolve(root, schema.get("items", {}))
        else:
            schema = dict(_properties(root, schema)).get(part, {})
    return schema


def _choose_message(options: Sequence[Option]) -> str:
    """Ask to pick one of the options, listing them when there are few."""
    if not options or len(options) > MAX_LISTED_OPTIONS:
        return "Kies een van de opties uit de lijst."
    return f"Kies een van de opties: {_join([o.label for o in options])}."


def _generic(schema: Mapping[str, Any], path: str) -> str:
    """The fallback message, naming the field by title or path."""
    title = schema.get("title") or path
    if not title:
        return "Het formulier is niet goed ingevuld."
    return f"‘{title}’ is niet goed ingevuld."


def _subject(schema: Mapping[str, Any], money: bool) -> str:
    """How a range message names its field: the title when it reads as a label, else a noun."""
    title = schema.get("title")
    if isinstance(title, str) and title and len(title) <= 40 and title[-1] not in "?:.":
        return title
    return "Het bedrag" if money else "De waarde"


def _additional(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    """The undeclared property names of an object (as `additionalProperties: false` sees them)."""
    declared = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [
        str(name)
        for name in instance
        if name not in declared and not any(p.search(str(name)) for p in patterns)
    ]


def _one_per_field(root: Mapping[str, Any], errors: Iterable[FieldError]) -> tuple[FieldError, ...]:
    """Keep the first error of each field and order them as the fields appear in the schema."""
    seen: dict[str, FieldError] = {}
    for error in errors:
        seen.setdefault(error.field, error)
    order = {spec.name: i for i, spec in enumerate(fields(root))}

    def position(path: str) -> int:
        candidate = re.sub(r"\[\d+\]", "", path)
        while candidate:
            if candidate in order:
                return order[candidate]
            candidate = candidate.rpartition(".")[0]
        return -1 if path == "" else len(order)

    return tuple(sorted(seen.values(), key=lambda e: position(e.field)))


def _path(root: Mapping[str, Any], parts: Sequence[PathPart]) -> str:
    """Field path of a jsonschema location; inside an array of plain values, the array itself."""
    text = ""
    schema: Mapping[str, Any] = _resolve(root, root)
    for part in parts:
        if isinstance(part, int):
            items = _resolve(root, schema.get("items", {}))
            if _kind(items) != "object":
                break  # a multi-select or checkbox group is one input
            text += f"[{part}]"
            schema = items
        else:
            text += f".{part}" if text else part
            schema = _resolve(root, schema.get("properties", {}).get(part, {}))
    return text


# ---------------------------------------------------------------- formats


def _is_email(instance: object) -> bool:
    """An email address needs a local part, an @ and a domain with a dot."""
    return not isinstance(instance, str) or bool(_EMAIL.fullmatch(instance))


def _is_uri(instance: object) -> bool:
    """An absolute URI without spaces; http(s) addresses need a host."""
    if not isinstance(instance, str):
        return True
    if not instance or any(c.isspace() for c in instance):
        return False
    parts = urlsplit(instance)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme):
        return False
    if parts.scheme.lower() in ("http", "https"):
        return "." in parts.netloc or parts.netloc.startswith("localhost")
    return bool(parts.netloc or parts.path)


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _format_checker() -> FormatChecker:
    """jsonschema's checkers, with a stricter email check and a uri check needing no extra package."""
    checker = FormatChecker()
    checker.checks("email")(_is_email)
    checker.checks("uri")(_is_uri)
    return checker


FORMATS = _format_checker()
"""The format checker every validation uses (email, date, uri and jsonschema's other built-ins)."""


# ---------------------------------------------------------------- coerce


class _UnconvertibleError(ValueError):
    """A submitted value that cannot become the field's type; carries the Dutch message."""


def coerce(
    schema: Mapping[str, Any], raw: RawForm
) -> tuple[dict[str, Any], tuple[FieldError, ...]]:
    """Turn an HTML submission (strings, lists for multi-selects) into typed values per the schema."""
    errors: list[FieldError] = []
    data = _coerce_object(schema, _resolve(schema, schema), raw, "", errors)
    return data, tuple(errors)


def _coerce_object(
    root: Mapping[str, Any],
    schema: Mapping[str, Any],
    raw: RawForm,
    prefix: str,
    errors: list[FieldError],
) -> dict[str, Any]:
    """Coerce the properties of one (possibly nested) object from dotted input names."""
    out: dict[str, Any] = {}
    required = set(schema.get("required", ()))
    for name, sub in _properties(root, schema):
        path = f"{prefix}{name}"
        kind = _kind(sub)
        if kind == "object":
            child = _coerce_object(root, sub, raw, f"{path}.", errors)
            if child or name in required:
                out[name] = child
            continue
        submitted = raw.get(path)
        if kind == "boolean" and not _options(sub):
            try:
                out[name] = _boolean(submitted)
            except _UnconvertibleError as exc:
                out[name] = submitted
                errors.append(FieldError(path, str(exc)))
            continue
        if kind == "array" and _kind(_resolve(root, sub.get("items", {}))) == "object":
            continue  # lists of objects come from JSON, not from HTML inputs
        if kind == "array":
            try:
                items = _array(root, sub, name, submitted)
            except _UnconvertibleError as exc:
                out[name] = submitted
                errors.append(FieldError(path, str(exc)))
                continue
            if items:
                out[name] = items
            continue
        if isinstance(submitted, list) and len(set(submitted)) > 1:
            out[name] = submitted
            errors.append(FieldError(path, MSG_ONE_VALUE))
            continue
        text = submitted[0] if isinstance(submitted, list) and submitted else submitted
        if not isinstance(text, str) or not text.strip():
            continue  # absent or empty: omitted, so `required` speaks if it must
        try:
            out[name] = _scalar(sub, name, text.strip())
        except _UnconvertibleError as exc:
            out[name] = text
            errors.append(FieldError(path, str(exc)))
    return out


def _scalar(schema: Mapping[str, Any], name: str, text: str) -> Any:
    """One trimmed, non-empty string as the field's type; unknown choices stay text for `enum`."""
    for option_value, _ in _option_pairs(schema):
        if text == _html_value(option_value):
            return option_value
    kind = _kind(schema)
    if kind in ("integer", "number"):
        return _parse_number(text, integer=kind == "integer", money=_is_money(schema, name))
    if kind == "boolean":
        return _boolean(text)
    if schema.get("format") == "date":
        return _iso_date(text)
    return text


def _array(
    root: Mapping[str, Any], schema: Mapping[str, Any], name: str, submitted: Any
) -> list[Any]:
    """A multi-select or checkbox group as a list of typed values; empty entries dropped."""
    values = [submitted] if isinstance(submitted, str) else list(submitted or ())
    items = _resolve(root, schema.get("items", {}))
    return [_scalar(items, name, v.strip()) for v in values if isinstance(v, str) and v.strip()]


_TRUE = frozenset({"on", "true", "1", "ja", "yes", "waar", "aan"})
_FALSE = frozenset({"off", "false", "0", "nee", "no", "onwaar", "uit", ""})


def _boolean(submitted: str | list[str] | None) -> bool:
    """A checkbox: any true-like value means ticked; absent means not ticked."""
    values = [submitted] if isinstance(submitted, str) else list(submitted or ())
    words = {v.strip().lower() for v in values}
    if words & _TRUE:
        return True
    if words <= _FALSE:
        return False
    raise _UnconvertibleError(MSG_BOOLEAN)


_DUTCH_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")


def _iso_date(text: str) -> str:
    """Dutch day-month-year ("31-12-2025", "1/2/2025") as ISO; anything else as typed."""
    match = _DUTCH_DATE.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text  # left for the `date` format check to explain
    return text


_GROUPED = re.compile(r"[1-9][0-9]{0,2}(\.[0-9]{3})+")
#: the most digits a typed number may have (a cent amount in the trillions; beyond it is a typo)
MAX_DIGITS = 15


def _parse_number(text: str, *, integer: bool = False, money: bool = False) -> int | float:
    """Read a number typed the Dutch (or plain) way; refuse what could be read two ways.

    Accepted: "1234", "1234,56", "1.234,56", "1.234.567", "1234.56", "0.125", "€ 1.234,56", "€ 50,-",
    "-3". Refused: garbage ("abc", "1e5"), misplaced separators ("1,2,3", "1.234.5", "1,234.56"),
    and a single dot before three digits ("1.234": thousand or a decimal?). Whole values come back
    as int, others as float; money allows at most two decimals.
    """
    fallback = MSG_INTEGER if integer else MSG_MONEY if money else MSG_NUMBER
    s = "".join(text.split())
    negative = signed = False
    for _ in range(2):  # "-€5" and "€-5"
        s = s.strip("€")
        if s[:1] in ("-", "+") and not signed:
            negative, signed, s = s[0] == "-", True, s[1:]
    for whole in (",-", ",—", ",–"):
        s = s.removesuffix(whole)
    if not re.fullmatch(r"[0-9][0-9.,]*", s):  # ASCII digits only: not ٣ or ３
        raise _UnconvertibleError(MSG_DIGITS if _foreign_digits(s) else fallback)
    if sum(c.isdigit() for c in s) > MAX_DIGITS:
        raise _UnconvertibleError(MSG_TOO_LONG)

    commas, dots = s.count(","), s.count(".")
    if commas > 1:
        raise _UnconvertibleError(MSG_SEPARATORS)
    if commas == 1:
        whole_part, fraction = s.split(",")
        if (
            not fraction
            or "." in fraction
            or ("." in whole_part and not _GROUPED.fullmatch(whole_part))
        ):
            raise _UnconvertibleError(MSG_SEPARATORS)
        digits = f"{whole_part.replace('.', '')}.{fraction}"
    elif dots == 1:
        whole_part, fraction = s.split(".")
        if not fraction:
            raise _UnconvertibleError(MSG_SEPARATORS)
        if len(fraction) == 3 and _GROUPED.fullmatch(s):
            raise _UnconvertibleError(
                f"Bedoelt u {whole_part}{fraction} of {whole_part},{fraction}? "
                "Schrijf het getal zonder punt, of met een komma voor de decimalen."
            )
        digits = s
    elif dots > 1:
        if not _GROUPED.fullmatch(s):
            raise _UnconvertibleError(MSG_SEPARATORS)
        digits = s.replace(".", "")
    else:
        digits = s

    fraction_digits = digits.partition(".")[2]
    if money and len(fraction_digits.rstrip("0")) > 2:
        raise _UnconvertibleError(MSG_MONEY_DECIMALS)
    value = -Decimal(digits) if negative else Decimal(digits)
    if value == value.to_integral_value():
        return int(value)
    if integer:
        raise _UnconvertibleError(MSG_WHOLE)
    return float(value)


def _foreign_digits(text: str) -> bool:
    return any(c.isdigit() and not c.isascii() for c in text)


# ---------------------------------------------------------------- fields


_DEFAULT_WIDGETS = {
    "email": "email",
    "date": "date",
    "uri": "url",
}


def fields(
    schema: Mapping[str, Any], ui_schema: Mapping[str, Any] | None = None
) -> list[FieldSpec]:
    """Describe the form's fields flat and in order (schema order, or the UI schema's `ui:order`)."""
    return list(_field_specs(schema, _resolve(schema, schema), ui_schema or {}, ""))


def answers(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What someone filled in, as people read it: (field title, value in words) per field the
    form has and the data holds, in the form's order; a choice by its option's title."""
    out = []
    for spec in fields(schema):
        value = _at(data, spec.name)
        if value is None or value == "" or value == []:
            continue
        words = {o.value: o.label for o in spec.options}
        items = value if isinstance(value, list) else [value]
        shown = ", ".join(
            words.get(_html_value(v)) or _number(v, spec.money)
            if not isinstance(v, bool)
            else _label(v)
            for v in items
        )
        out.append((spec.title or spec.name, shown))
    return out


def _at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a field path ("address.postcode"); None when absent."""
    found: Any = data
    for part in path.split("."):
        if not isinstance(found, Mapping):
            return None
        found = found.get(part)
    return found


def _field_specs(
    root: Mapping[str, Any], schema: Mapping[str, Any], ui: Mapping[str, Any], prefix: str
) -> Iterator[FieldSpec]:
    """Yield the specs of one object's properties, nested objects right after their group."""
    required = set(schema.get("required", ()))
    for name, sub in _ordered(_properties(root, schema), ui.get("ui:order")):
        path = f"{prefix}{name}"
        own_ui = ui.get(name, {}) if isinstance(ui.get(name), Mapping) else {}
        kind = _kind(sub) or "string"
        items = _resolve(root, sub.get("items", {}))
        options = _options(items if kind == "array" else sub)
        money = kind in ("number", "integer") and _is_money(sub, name)
        yield FieldSpec(
            name=path,
            title=str(sub.get("title") or name),
            help=str(own_ui.get("ui:help") or sub.get("description") or ""),
            type=kind,
            required=name in required,
            widget=str(own_ui.get("ui:widget") or _default_widget(sub, items, options, money)),
            options=tuple(options),
            money=money,
            format=sub.get("format"),
            schema=sub,
        )
        if kind == "object":
            yield from _field_specs(root, sub, own_ui, f"{path}.")


def _default_widget(
    schema: Mapping[str, Any], items: Mapping[str, Any], options: Sequence[Option], money: bool
) -> str:
    """The input to render when the UI schema names none."""
    kind = _kind(schema) or "string"
    if kind == "object":
        return "fieldset"
    if kind == "array":
        if _kind(items) == "object":
            return "unsupported"
        return "checkboxes" if options else "text"
    if kind == "boolean" and not options:
        return "checkbox"
    if options:
        return "radio" if len(options) <= 4 else "select"
    if money:
        return "money"
    if kind in ("number", "integer"):
        return "number"
    return _DEFAULT_WIDGETS.get(str(schema.get("format")), "text")


def _ordered(
    properties: list[tuple[str, Mapping[str, Any]]], order: Any
) -> list[tuple[str, Mapping[str, Any]]]:
    """Apply an RJSF-style `ui:order` (names, with "*" for all the rest in schema order)."""
    if not isinstance(order, list):
        return properties
    by_name = dict(properties)
    named = [n for n in order if n in by_name]
    rest = [n for n, _ in properties if n not in named]
    result: list[str] = []
    for n in order:
        if n == "*":
            result.extend(rest)
        elif n in by_name:
            result.append(n)
    if "*" not in order:
        result.extend(rest)
    return [(n, by_name[n]) for n in result]


# ---------------------------------------------------------------- schema helpers


def _resolve(root: Mapping[str, Any], schema: Any) -> Mapping[str, Any]:
    """Follow a local `$ref` ("#/$defs/address"); other schemas come back unchanged."""
    seen = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 20:
        ref = str(schema["$ref"])
        if not ref.startswith("#"):
            break
        target: Any = root
        for token in filter(None, ref[1:].split("/")):
            target = (
                target.get(token.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, Mapping)
                else {}
            )
        schema, seen = target, seen + 1
    return schema if isinstance(schema, Mapping) else {}


def _properties(
    root: Mapping[str, Any], schema: Mapping[str, Any]
) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, resolved subschema) of each declared property, in schema order."""
    props = schema.get("properties", {})
    return [(str(name), _resolve(root, sub)) for name, sub in props.items()]


def _kind(schema: Mapping[str, Any]) -> str:
    """The field's main type: the first non-null of `type`, else guessed from its keywords."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list):
        return next((str(t) for t in declared if t != "null"), "null")
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return ""


def _is_money(schema: Mapping[str, Any], name: str) -> bool:
    """Whether a number field is an amount (see the module docstring for the rule)."""
    if _kind(schema) not in ("number", "integer"):
        return False
    lowered = name.lower()
    return schema.get("format") == "money" or "amount" in lowered or "bedrag" in lowered


def _option_pairs(schema: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) of each choice: from `enum` (labels from `enumNames` or oneOf titles) or oneOf/anyOf consts."""
    choices = next(
        (
            schema[k]
            for k in ("oneOf", "anyOf")
            if isinstance(schema.get(k), list)
            and schema[k]
            and all(isinstance(c, Mapping) and "const" in c for c in schema[k])
        ),
        None,
    )
    titled = [(c["const"], str(c.get("title") or _label(c["const"]))) for c in choices or ()]
    if isinstance(schema.get("enum"), list):
        values = list(schema["enum"])
        names = schema.get("enumNames")
        if isinstance(names, list) and len(names) == len(values):
            return [(v, str(n)) for v, n in zip(values, names, strict=True)]
        titles = {json.dumps(v): label for v, label in titled}
        return [(v, titles.get(json.dumps(v), _label(v))) for v in values]
    return titled


def _options(schema: Mapping[str, Any]) -> list[Option]:
    """The choices of a field as HTML value and label."""
    return [Option(_html_value(v), label) for v, label in _option_pairs(schema)]


def _html_value(value: Any) -> str:
    """The string an option carries in HTML; `coerce` maps it back to the typed value."""
    return value if isinstance(value, str) else json.dumps(value)


def _label(value: Any) -> str:
    """A value as a user reads it: ja/nee, Dutch numbers, text as is."""
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if value is None:
        return "geen"
    if isinstance(value, int | float):
        return _number(value, money=False)
    return str(value)


def _number(value: Any, money: bool) -> str:
    """A number in Dutch notation; amounts as "€ 1.234,56" (whole amounts as "€ 1.234")."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if money:
        whole = value == int(value)
        text = f"{value:,.0f}" if whole else f"{value:,.2f}"
        return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).replace(".", ",")


def _join(labels: Sequence[str]) -> str:
    """Dutch enumeration: "A", "A of B", "A, B of C"."""
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} of {labels[-1]}"
