"""Wegwijs's own rules for a diagram, on the engine's outline of the files: every lane is a role,
every user task has a form, the form covers what the next gateways read, every DMN output a
gateway reads after a decision exists, every norm is watched, and a text for the initiator
sits on a timer. Norms, phases and expressions are checked by the engine's property checks and
sandbox; bpmnlint's rules by the engine too.

Each rule returns located findings (errors block a deploy, warnings do not); web and command line
run them through the same check, so they report the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine import Outline, OutlineElement, Problem, form_fields
from workflows.roles import LANE_ROLES, ROLES


def _finding(element: OutlineElement, message: str, rule: str, severity: str = "error") -> Problem:
    return Problem(
        element.file,
        message,
        element_id=element.id,
        line=element.line,
        severity=severity,
        rule=f"wegwijs:{rule}",
    )


def lanes_are_roles(outline: Outline) -> Iterable[Problem]:
    """A lane names the role whose people do its tasks."""
    for lane in outline.lanes:
        if not lane.executable:
            continue
        if not lane.name:
            yield Problem(
                lane.file,
                "deze baan heeft geen naam; geef haar de naam van een rol, zoals 'casist'",
                element_id=lane.id,
                line=lane.line,
                rule="wegwijs:baan-rol",
            )
        elif lane.name not in ROLES:
            known = ", ".join(sorted(LANE_ROLES))
            yield Problem(
                lane.file,
                f"de baan '{lane.name}' is geen rol van Wegwijs ({known}); taken in deze baan "
                "blijven liggen tot iemand deze rol krijgt",
                element_id=lane.id,
                line=lane.line,
                severity="warning",
                rule="wegwijs:baan-rol",
            )


def user_tasks_have_forms(outline: Outline) -> Iterable[Problem]:
    """A user task for a Wegwijs role has a form (its page and its checks come from it)."""
    for element in outline.elements:
        if element.kind != "userTask" or not element.executable:
            continue
        if "formJsonSchemaFilename" in element.properties:
            continue  # a form named but missing is the loader's finding
        staff = element.lane in ROLES
        yield _finding(
            element,
            "deze gebruikerstaak heeft geen formulier (eigenschap formJsonSchemaFilename); "
            + (
                "een medewerker kan haar dan niet invullen"
                if staff
                else "ze kan alleen worden afgevinkt"
            ),
            "formulier",
            "error" if staff else "warning",
        )


def forms_cover_gateways(outline: Outline) -> Iterable[Problem]:
    """What a gateway right after a user task reads comes from that task's form, or from
    something else in the diagram that sets it (an earlier form, a script, a decision)."""
    elsewhere = outline.written_anywhere()
    for element in outline.elements:
        if element.kind != "userTask" or not element.executable:
            continue
        fields = form_fields(element.form)
        for gateway in outline.next_gateways(element):
            missing = sorted(n for n in gateway.reads if n not in fields and n not in elsewhere)
            for name in missing:
                yield _finding(
                    gateway,
                    f"de voorwaarden lezen '{name}', maar het formulier van "
                    f"'{element.name or element.id}' heeft zo'n veld niet en niets anders in "
                    "het diagram zet het; voeg het veld toe aan het formulier (of geef het mee "
                    "bij de start)",
                    "formulier-dekt-gateway",
                    "error" if element.form is not None else "warning",
                )


def decision_outputs_exist(outline: Outline) -> Iterable[Problem]:
    """A gateway right after a decision reads only outputs that decision has (or other data)."""
    elsewhere = outline.written_anywhere()
    for element in outline.elements:
        if element.kind != "businessRuleTask" or not element.decision:
            continue
        outputs = outline.decisions.get(element.decision)
        if outputs is None:
            continue  # an unknown decision is the loader's finding
        own = set(outputs)
        others = elsewhere - element.writes
        for gateway in outline.next_gateways(element):
            for name in sorted(gateway.reads - own - others):
                yield _finding(
                    gateway,
                    f"de voorwaarden lezen '{name}', maar de beslistabel '{element.decision}' "
                    f"heeft die uitkomst niet (wel: {', '.join(sorted(own)) or 'geen'})",
                    "beslistabel-uitkomst",
                )


def norms_are_watched(outline: Outline) -> Iterable[Problem]:
    """A user task's norm is heard of when it passes: the task names whom to signal
    (`signal_to`, see `norm_watch`) or the diagram watches it with a timer on the task's edge."""
    timed = {
        e.attached_to
        for e in outline.elements
        if e.kind == "boundaryEvent" and e.attached_to and e.timer
    }
    for element in outline.elements:
        if element.kind != "userTask" or not element.executable:
            continue
        norm = element.properties.get("norm")
        if norm and not element.properties.get("signal_to") and element.id not in timed:
            yield _finding(
                element,
                f"de norm '{norm}' van deze taak wordt niet bewaakt: geef in 'signal_to' aan wie "
                "een signaal krijgt als ze verstrijkt, of zet een timer op de rand van de taak",
                "norm-bewaakt",
                severity="warning",
            )
        escalation = element.properties.get("escalation")
        if escalation and not element.properties.get("escalation_to"):
            yield _finding(
                element,
                f"de escalatie '{escalation}' van deze taak heeft geen ontvanger: geef die in "
                "'escalation_to'",
                "norm-bewaakt",
            )


def initiator_texts_on_timers(outline: Outline) -> Iterable[Problem]:
    """An `initiator_text` is told on the status page while a case waits at a timer (the
    `initiator_waits` of an initiative): on anything else, nobody would ever read it."""
    for element in outline.elements:
        if not element.properties.get("initiator_text") or not element.executable:
            continue
        if not (element.timer and element.kind in ("intermediateCatchEvent", "boundaryEvent")):
            yield _finding(
                element,
                "de tekst voor de initiatiefnemer ('initiator_text') staat op een element dat "
                "geen wachtende timer is; de statuspagina toont haar alleen terwijl een zaak "
                "bij een timer wacht",
                "tekst-initiatiefnemer",
                severity="warning",
            )


RULES = (
    lanes_are_roles,
    user_tasks_have_forms,
    forms_cover_gateways,
    decision_outputs_exist,
    norms_are_watched,
    initiator_texts_on_timers,
)
