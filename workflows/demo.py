"""Demo accounts: one user per role, with fresh passwords each time the demo starts, and the
colleagues who did the simulated year's work beside them (accounts without a demo password:
their names, e-mail and phone are what the pages show)."""

from __future__ import annotations

from dataclasses import dataclass

from engine import Engine
from workflows import accounts, contacts
from workflows.accounts import System
from workflows.roles import LANE_ROLES, may_act
from workflows.simulation.staff import DEFAULT_STAFF

#: (username, display name, roles) — one person per role, plus a team lead who also does the work
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("carla", "Carla Casist", ("casist",)),
    ("ines", "Ines Initiatieventeam", ("initiatieventeam",)),
    ("wendy", "Wendy Wijkwensen", ("wijkwenssecretariaat",)),
    ("koen", "Koen KCC", ("kcc",)),
    ("victor", "Victor Vakspecialist", ("vakspecialist",)),
    ("frank", "Frank Fondsbeheer", ("fondsbeheer",)),
    ("bert", "Bert Budgethouder", ("budgethouder",)),
    ("rita", "Rita Regiegroep", ("regiegroep",)),
    ("gerda", "Gerda Gebiedsmanager", ("gebiedsmanager",)),
    ("gijs", "Gijs Gebiedsbeheer", ("gebiedsbeheer",)),
    ("vera", "Vera Vakspecialist", ("vakspecialist",)),
    ("tom", "Tom Teamleider", ("teamleider", "casist", "initiatieventeam", "vakspecialist")),
    ("paula", "Paula Procesbeheerder", ("procesbeheerder",)),
    ("max", "Max Manager", ("manager",)),
    ("bea", "Bea Beheerder", ("beheerder",)),
)


#: the aspect teams (see bpmn/complex_initiative/dmn_aspect_selection.dmn) of the vakspecialisten,
#: every team covered: each sees the assessments of their own teams; the team lead sees them all
DEMO_TEAMS: dict[str, tuple[str, ...]] = {
    "victor": (
        "BELEID",
        "STADSBEHEER",
        "STADSONTWIKKELING_PLANJURIST",
        "GRONDZAKEN_VASTGOED",
        "MILIEU_OZHZ",
    ),
    "vera": (
        "FONDSBEHEER",
        "MAATSCHAPPELIJKE_ONTWIKKELING",
        "JURIDISCHE_ZAKEN",
        "EVENEMENTENBUREAU_OOV",
        "COMMUNICATIE",
    ),
}


#: the demo's accounts: the people one logs in as, and their colleagues
DEMO_USERNAMES = frozenset(
    [name for name, _, _ in DEMO_USERS] + [c.username for c in DEFAULT_STAFF]
)
#: how initiators reach the demo's casists (the number of the municipality, an extension each)
DEMO_PHONES = {"carla": "078 770 4100", "tom": "078 770 4109"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()


class NotADemoDatabaseError(accounts.AccountError):
    """The database holds real accounts: the demo must not take them over."""


def check_demo_database(engine: Engine, force: bool = False) -> None:
    """Refuse a database with accounts that are not demo users (unless forced): resetting
    passwords and handing out tasks there would take over real people's work."""
    existing = {u.username for u in accounts.list_users(engine)}
    foreign = sorted(existing - DEMO_USERNAMES)
    if foreign and not force:
        raise NotADemoDatabaseError(
            f"Deze database heeft echte gebruikers ({', '.join(foreign[:5])}"
            f"{' …' if len(foreign) > 5 else ''}); de demo neemt die niet over. Gebruik de "
            "eigen demodatabase (zonder WEGWIJS_DATABASE_URL) of geef --force."
        )


def ensure_demo_users(engine: Engine, force: bool = False) -> list[DemoLogin]:
    """Use case: create the demo users and their colleagues, or give the demo users a new
    password; returns the logins (the colleagues get none)."""
    check_demo_database(engine, force)
    existing = {u.username for u in accounts.list_users(engine)}
    logins = []
    for username, name, roles in DEMO_USERS:
        password = accounts.generate_password()
        teams = DEMO_TEAMS.get(username, ())
        if username in existing:
            accounts.set_password(engine, username, password)
            accounts.set_roles(engine, username, roles)
            accounts.set_teams(engine, username, teams)
        else:
            accounts.add_user(
                engine,
                username,
                roles,
                password,
                display_name=name,
                teams=teams,
                email=f"{username}@dordrecht.example",
                phone=DEMO_PHONES.get(username),
            )
        logins.append(DemoLogin(username, password, roles, teams))
    for person in DEFAULT_STAFF:
        if person.username not in existing:
            accounts.add_user(
                engine,
                person.username,
                sorted(person.roles),
                accounts.generate_password(),
                display_name=person.display_name,
                teams=sorted(person.teams),
                email=person.email,
                phone=person.phone,
            )
    return logins


def give_some_work(engine: Engine, per_user: int = 3) -> None:
    """Give each demo worker up to `per_user` open tasks of their role, so Mijn taken shows some
    work: unassigned ones first, then work of the simulated colleagues handed over (a casist
    becomes the casist of the case, so the case keeps one point of contact). Which tasks the
    simulation leaves open depends on the day it runs; without the hand-over a short demo could
    leave a demo user with nothing to do."""
    demo_people = {name for name, _, _ in DEMO_USERS}
    for username, _name, roles in DEMO_USERS:
        lanes = [r for r in roles if r in LANE_ROLES]
        held_now = len(engine.list_tasks(assignee=username, limit=per_user))
        if not lanes or held_now >= per_user:
            continue
        held, teams = frozenset(roles), frozenset(DEMO_TEAMS.get(username, ()))
        mine = [
            t
            for t in engine.list_tasks(lanes=lanes, limit=200)
            if t.assignee not in demo_people and may_act(held, teams, t.lane, t.group)
        ]
        mine.sort(key=lambda t: t.assignee is not None)  # the queue first
        cases: set[int] = set()
        for task in mine[: per_user - held_now]:
            if task.lane == contacts.CASIST_ROLE and task.assignee is not None:
                if task.instance_id not in cases:  # its other casist tasks go with it
                    contacts.change_casist(engine, _HAND_OVER, task.instance_id, username)
                    cases.add(task.instance_id)
            elif task.assignee is None:
                engine.claim_task(task.id, username)
            else:
                engine.reassign_task(task.id, username, _HAND_OVER.username)


#: who hands the simulated colleagues' work to the demo users (in the cases' history)
_HAND_OVER = System("demo")
