"""People as the pages show them: by name, with how to reach them — never by user name.

A form field that picks a colleague (`"x-user-role": "casist"` in its JSON Schema) offers the
active users holding that role, and what it stores (the user name) comes with their name,
e-mail and phone for the process (`<field>_name`, `<field>_email`, `<field>_phone`): the
casist chosen at "Casist koppelen" is the case's one point of contact.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine import Engine
from workflows.accounts import User, list_users
from workflows.tables import app_user

#: the schema keyword that makes a field a choice of colleagues holding this role
USER_ROLE = "x-user-role"
#: how the system itself is named where it acted (timers, the simulation's own steps)
SYSTEM_NAME = "Wegwijs (automatisch)"
_SYSTEM_ACTORS = frozenset({"simulatie", "systeem", "opdrachtregel", "test"})


@dataclass(frozen=True)
class Contact:
    """How an initiator or a colleague reaches someone."""

    username: str
    name: str
    email: str | None
    phone: str | None


def user_fields(schema: Mapping[str, Any]) -> dict[str, str]:
    """The top-level fields of a form that pick a colleague: {field: role}."""
    return {
        name: str(prop[USER_ROLE])
        for name, prop in (schema.get("properties") or {}).items()
        if isinstance(prop, Mapping) and prop.get(USER_ROLE)
    }


def with_people(engine: Engine, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with each colleague field offering the active users of its role (by name)."""
    fields = user_fields(schema)
    if not fields:
        return dict(schema)
    found = copy.deepcopy(dict(schema))
    users = [u for u in list_users(engine) if u.active]
    for name, role in fields.items():
        holders = sorted((u for u in users if role in u.roles), key=lambda u: u.display_name)
        found["properties"][name]["oneOf"] = [
            {"const": u.username, "title": u.display_name} for u in holders
        ] or [{"const": "", "title": "(nog niemand met deze rol)"}]
    return found


def enrich(engine: Engine, schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's data plus the name, e-mail and phone of each colleague it picked."""
    out = dict(data)
    for name in user_fields(schema):
        username = out.get(name)
        if not username:
            continue
        person = contact(engine, str(username))
        out[f"{name}_name"] = person.name
        out[f"{name}_email"] = person.email
        out[f"{name}_phone"] = person.phone
    return out


def contact(engine: Engine, username: str) -> Contact:
    """How to reach a user (their name alone when they have no account, e.g. an old case)."""
    found = names(engine, [username], full=True)
    return found.get(username) or Contact(username, label(username, {}), None, None)


def names(engine: Engine, usernames: Iterable[str], full: bool = False) -> dict[str, Contact]:
    """Contacts by user name for these user names (those that have an account)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    with engine.reading() as conn:
        rows = conn.execute(
            select(
                app_user.c.username, app_user.c.display_name, app_user.c.email, app_user.c.phone
            ).where(app_user.c.username.in_(wanted))
        ).all()
    return {r.username: Contact(r.username, r.display_name, r.email, r.phone) for r in rows}


def namer(engine: Engine) -> Callable[[str | None], str]:
    """A function naming any user as the pages do: every account's name read once (staff is a
    few hundred people), for pages that mention many people (versions, drafts, migrations)."""
    with engine.reading() as conn:
        rows = conn.execute(
            select(app_user.c.username, app_user.c.display_name, app_user.c.email, app_user.c.phone)
        ).all()
    known = {r.username: Contact(r.username, r.display_name, r.email, r.phone) for r in rows}
    return lambda username: label(username, known)


def label(username: str | None, known: Mapping[str, Contact]) -> str:
    """A person as the page names them: their name, the system as such, or what we have."""
    if not username:
        return "–"
    if username in known:
        return known[username].name
    if username in _SYSTEM_ACTORS or username.startswith("sim-"):
        return SYSTEM_NAME
    return username


def of(user: User) -> Contact:
    return Contact(user.username, user.display_name, user.email, user.phone)
