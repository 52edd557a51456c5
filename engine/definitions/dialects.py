"""What other tools write that Wegwijs does not run, said in Dutch: SpiffWorkflow's own
validation messages translated, and hints for expressions in another dialect (Camunda's JUEL
`${…}`, FEEL `= …` and ranges `[1..20]`, XPath `bpmn:getDataObject(…)`).

A library message this table does not know becomes a general Dutch sentence (the English text
goes to the log, not to the process owner); every message keeps its element and line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

log = logging.getLogger("wegwijs.definitions")

_OBJECT_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>?")

# (pattern on the library's message, the Dutch text; groups may be used as {1}, {2})
_LIBRARY_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), dutch)
    for pattern, dutch in (
        (
            r"Exactly one start event is required in a SubWorkflow Task; found (\d+)",
            "dit subproces heeft {1} startgebeurtenissen; Wegwijs heeft er precies één nodig "
            "(een subproces zonder start wordt niet ondersteund)",
        ),
        (r"No start event found", "het proces heeft geen startgebeurtenis"),
        (
            r"Time Specification Error",
            "de timer heeft geen (bekende) tijdsaanduiding; geef een duur, datum of herhaling op",
        ),
        (
            r"Data Store with name (.*?) has no implementation",
            "de gegevensopslag (data store) '{1}' wordt niet ondersteund; Wegwijs bewaart "
            "gegevens in de zaak zelf. Verwijder de data store uit het diagram",
        ),
        (
            r"Cannot resolve (data(?:Input|Output)Association)",
            "de gegevenskoppeling ({1}) verwijst naar een gegevensobject dat Wegwijs niet kan "
            "vinden; koppelingen naar data store- of data object-verwijzingen worden niet "
            "ondersteund",
        ),
        (
            r"A Service Task must have an operator",
            "deze servicetaak noemt geen dienst (spiffworkflow:serviceTaskOperator); Wegwijs "
            "voert alleen de eigen diensten uit (zoals notify en fund_apply), geen Camunda- of "
            "Java-koppelingen",
        ),
        (
            r'No DMN Diagram available with id "None"',
            "deze beslistaak noemt geen beslistabel (spiffworkflow:calledDecisionId); een "
            "Camunda-verwijzing (camunda:decisionRef) leest Wegwijs niet",
        ),
        (
            r'No DMN Diagram available with id "(.*?)"',
            "de beslistabel '{1}' zit niet bij de aangeboden bestanden; voeg het DMN-bestand toe",
        ),
        (
            r"A multiinstance task must specify a cardinality or a loop input data reference",
            "deze meervoudige taak zegt niet hoe vaak of over welke lijst hij loopt (aantal of "
            "invoerlijst ontbreekt)",
        ),
        (
            r"The process '(.*?)' was not found",
            "het proces '{1}' zit niet in de aangeboden bestanden",
        ),
        (
            r"There is no support implemented for this task type",
            "dit soort element wordt niet ondersteund door de procesmotor",
        ),
        (r"Duplicate process ID: (.*?)\.?$", "het proces-id '{1}' komt twee keer voor"),
        (
            r"Multiple outgoing flows are not supported for tasks of type",
            "een taak met meer dan één uitgaande pijl (impliciete splitsing) wordt niet "
            "ondersteund; zet er een gateway achter",
        ),
        (r"Process (.*?) is not executable", "het proces '{1}' is niet uitvoerbaar"),
        (
            r"The attribute '(.*?)' is not allowed",
            "het attribuut '{1}' hoort hier niet volgens het BPMN 2.0-schema",
        ),
        (
            r"This element is not expected",
            "dit element staat niet op een plek die het BPMN 2.0-schema toestaat",
        ),
        (
            r"No matching global declaration available for the validation root",
            "dit is geen BPMN 2.0-document (onbekend hoofdelement)",
        ),
        (
            r"Expected a (Message|Signal|Error|Escalation) node",
            "de gebeurtenis verwijst naar een bericht, signaal, fout of escalatie die niet "
            "bestaat of geen naam heeft",
        ),
        (r"No Script Provided", "de scripttaak heeft geen (Python-)script"),
        (r"RecursionError|maximum recursion depth", "het diagram is te diep genest of te lang"),
    )
)

GENERIC = (
    "SpiffWorkflow kan dit deel van het diagram niet inlezen; Wegwijs ondersteunt deze "
    "constructie (nog) niet"
)


def library_message(text: str) -> str:
    """A SpiffWorkflow (or lxml) message about a definition, in Dutch; never an object repr."""
    clean = _OBJECT_REPR.sub("", text).strip()
    for pattern, dutch in _LIBRARY_MESSAGES:
        match = pattern.search(clean)
        if match:
            groups = [g or "" for g in match.groups()]
            return dutch.format("", *groups)
    log.info("untranslated definition message: %s", clean)
    return GENERIC


# ------------------------------------------------------------------ expressions


def _juel(text: str) -> str | None:
    if re.search(r"[$#]\{", text):
        inner = re.sub(r"[$#]\{\s*(.*?)\s*\}", r"\1", text).replace("!", "not ")
        return (
            "dit is een Camunda-expressie (JUEL, ${…}); Wegwijs rekent in Python: schrijf "
            f"bijvoorbeeld '{inner.strip()}'"
        )
    return None


def _feel_range(text: str) -> str | None:
    match = re.search(r"([\w.]*)\s*([\[\]])\s*(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)\s*([\[\]])", text)
    if not match:
        return None
    low_op = "<=" if match.group(2) == "[" else "<"
    high_op = "<=" if match.group(5) == "]" else "<"
    return (
        f"dit is een FEEL-bereik ({match.group(2)}{match.group(3)}..{match.group(4)}"
        f"{match.group(5)}); Wegwijs rekent in Python: schrijf "
        f"'{match.group(3)} {low_op} ? {high_op} {match.group(4)}' (? staat voor de invoer)"
    )


def _feel_prefix(text: str) -> str | None:
    if text.lstrip().startswith("="):
        return (
            "dit is een FEEL-expressie (Camunda 8, begint met '='); Wegwijs rekent in Python: "
            f"schrijf bijvoorbeeld '{text.lstrip()[1:].strip()}'"
        )
    return None


def _xpath(text: str) -> str | None:
    if "getDataObject" in text or re.search(r"\bbpmn:", text):
        return (
            "dit is een XPath-expressie (bpmn:getDataObject); Wegwijs rekent in Python over de "
            "gegevens van de zaak: schrijf bijvoorbeeld 'approved' of \"clarified == 'yes'\""
        )
    return None


def _single_equals(text: str) -> str | None:
    if re.search(r"[^=!<>]=[^=]", text) and "==" not in text:
        return "vergelijk met '==' (één '=' is een toekenning, geen vergelijking)"
    return None


def _spaced_names(text: str) -> str | None:
    if re.match(r"^\s*[A-Za-z]\w*(\s+[A-Za-z]\w*)+\s*(==|!=|<|>|=)", text):
        return (
            "een naam met spaties kan niet; gebruik de sleutel van het gegeven, zoals "
            "'service_level'"
        )
    return None


def _cron(text: str) -> str | None:
    if re.fullmatch(r"[\d*/?,\-LW#]+(\s+[\d*/?,\-LW#A-Z]+){4,6}", text.strip()):
        return (
            "dit is een cron-uitdrukking (Quartz); Wegwijs kent geen cron: geef een herhaling "
            'als ISO-8601-tekst, zoals "R/PT5M"'
        )
    return None


_HINTS: tuple[Callable[[str], str | None], ...] = (
    _juel,
    _feel_range,
    _feel_prefix,
    _xpath,
    _cron,
    _spaced_names,
    _single_equals,
)


def foreign_expression_hint(text: str) -> str | None:
    """What dialect an expression that is not Python seems to be, and how to write it."""
    for hint in _HINTS:
        found = hint(text)
        if found:
            return found
    return None
