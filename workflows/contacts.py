"""One point of contact: the case's casist, chosen at "Casist koppelen", changed here, and
shown with how to reach them on the case page and (for the initiator) the status page.

The casist does the casist's tasks of the case: those tasks carry `assignee = casist` and open
in the casist's own Mijn taken. Changing the casist hands the open ones over.
"""

from __future__ import annotations

from sqlalchemy import select

from engine import Engine, InstanceSummary, NotFoundError, TaskNotAllowedError
from workflows import people
from workflows.accounts import Actor, get_user
from workflows.cases import require
from workflows.people import Contact
from workflows.roles import MAY_CHOOSE_CASIST
from workflows.tables import initiative

#: the only route whose cases get a contact person of their own (a casist)
WITH_CASIST = "complex_initiative_process"
#: who answers questions about a case, per process (a case of another route than
#: WITH_CASIST has no contact person of its own)
DESKS = {
    WITH_CASIST: "het initiatieventeam: initiatieven@dordrecht.nl of 14 078",
    "wijkwens_process": "het secretariaat wijkwensen: wijkwensen@dordrecht.nl of 14 078",
    "simple_green_initiative_process": "de Wijklijn: 14 078",
}

CASIST_ROLE = "casist"


def casist_of(engine: Engine, instance_id: int) -> Contact | None:
    """The case's casist with how to reach them, or None while none is chosen."""
    with engine.reading() as conn:
        username = conn.execute(
            select(initiative.c.casist).where(initiative.c.instance_id == instance_id)
        ).scalar()
    return people.contact(engine, str(username)) if username else None


def candidates(engine: Engine) -> list[Contact]:
    """Who can be a casist: the active users with the casist role, by name."""
    from workflows.accounts import list_users

    found = [people.of(u) for u in list_users(engine) if u.active and CASIST_ROLE in u.roles]
    return sorted(found, key=lambda c: c.name)


def change_casist(
    engine: Engine, actor: Actor, instance_id: int, to_username: str
) -> InstanceSummary:
    """Use case: make someone else the case's casist; their open casist tasks go with it."""
    require(actor, MAY_CHOOSE_CASIST, "de casist van een zaak niet wijzigen")
    process_id = engine.get_instance(instance_id).summary.process_id
    if process_id != WITH_CASIST:
        raise TaskNotAllowedError(
            "Deze zaak krijgt geen casist: het aanspreekpunt is "
            f"{DESKS.get(process_id, DESKS[WITH_CASIST])}."
        )
    target = get_user(engine, to_username)
    if target is None:
        raise NotFoundError(f"Gebruiker '{to_username}' bestaat niet of is niet actief.")
    if CASIST_ROLE not in target.roles:
        raise TaskNotAllowedError(f"{target.display_name} heeft de rol casist niet.")
    previous = casist_of(engine, instance_id)
    values = {
        "casist": target.username,
        "casist_name": target.display_name,
        "casist_email": target.email,
        "casist_phone": target.phone,
    }
    with engine.transaction() as uow:
        summary = engine.update_data(
            instance_id,
            values,
            actor=actor.username,
            uow=uow,
            kind="casist_changed",
            detail={
                "previous": previous.name if previous else None,
                "assignee": target.display_name,
            },
        )
        for task in engine.list_tasks(instance_id=instance_id):
            if task.lane == CASIST_ROLE and task.assignee in (None, previous and previous.username):
                engine.reassign_task(task.id, target.username, actor.username, uow=uow)
    return summary
