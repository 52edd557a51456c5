"""Accounts of municipal staff: users, their roles, password checks and login throttling.

Passwords are hashed with Argon2id (argon2-cffi). After `MAX_FAILURES` wrong passwords in a row an
account is locked for a while, growing with each further failure up to `MAX_LOCK`; the lock lives
in the database, so it holds across web processes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Column, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine import Engine, EngineError, NotFoundError, as_utc
from engine.readmodel import human_task
from workflows.roles import ROLES
from workflows.tables import app_user, login_attempt, user_role, user_team

MAX_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_TEAM_LENGTH = 200
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal which names exist
# (made on first use: hashing at import would slow every command-line call).
_dummy_hash: list[str] = []


def _dummy() -> str:
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash("wegwijs-dummy-password"))
    return _dummy_hash[0]


class AccountError(EngineError):
    """A user or role request that cannot be carried out; the message says why."""


class LoginRefusedError(AccountError):
    """Wrong username or password, or a locked or inactive account."""


@dataclass(frozen=True)
class User:
    """A member of staff and the roles they hold."""

    id: int
    username: str
    display_name: str
    email: str | None
    roles: frozenset[str]
    active: bool
    #: changes when the password changes and when the user's sessions are ended (logout, log out
    #: everywhere, disabled): sessions carry it, so every earlier session ends on its next request
    session_key: str = ""
    #: the teams they belong to: tasks with a candidate group (an aspect's team) go to them
    teams: frozenset[str] = frozenset()
    #: how initiators reach them when they are a case's contact person
    phone: str | None = None

    def has_any(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)


@dataclass(frozen=True)
class System:
    """Someone acting for the system rather than as a person with roles: the operator at the
    command line, the simulator, a background worker. May do what the system does (start,
    deploy, cancel, retry), never a person's task."""

    name: str = "opdrachtregel"

    @property
    def username(self) -> str:
        return self.name


Actor = User | System


def check_roles(roles: Iterable[str], lanes: Iterable[str] = ()) -> frozenset[str]:
    """The roles as a set; refuses unknown ones with the list of known ones. Known are the
    roles of Wegwijs and the lanes of the deployed processes (`lanes`)."""
    wanted = frozenset(r.strip().lower() for r in roles if r.strip())
    known = [*ROLES, *sorted({lane.lower() for lane in lanes} - set(ROLES))]
    unknown = sorted(wanted - set(known))
    if unknown:
        raise AccountError(
            f"Onbekende rol(len): {', '.join(unknown)}. Kies uit: {', '.join(known)}."
        )
    if not wanted:
        raise AccountError("Geef minstens één rol op.")
    return wanted


def check_teams(teams: Iterable[str]) -> frozenset[str]:
    """Team names as a set (trimmed, empty ones left out); refuses names that are too long."""
    wanted = frozenset(t.strip() for t in teams if t.strip())
    too_long = sorted(t for t in wanted if len(t) > MAX_TEAM_LENGTH)
    if too_long:
        raise AccountError(
            f"Teamnaam te lang (hooguit {MAX_TEAM_LENGTH} tekens): {too_long[0][:40]}…"
        )
    return wanted


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            f"Gebruikersnaam '{username}' is ongeldig: 2–40 tekens, kleine letters, cijfers, "
            "punt, streepje of liggend streepje, beginnend met een letter of cijfer."
        )
    return name


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def _check_email(email: str | None) -> str | None:
    if not email or not email.strip():
        return None
    if not _EMAIL.match(email.strip()) or len(email) > 254:
        raise AccountError(f"'{email}' is geen geldig e-mailadres.")
    return email.strip()


def _check_phone(phone: str | None) -> str | None:
    if not phone or not phone.strip():
        return None
    if not _PHONE.match(phone.strip()):
        raise AccountError(f"'{phone}' is geen telefoonnummer (cijfers, spaties, +, - en haakjes).")
    return phone.strip()


def set_contact(engine: Engine, username: str, email: str | None, phone: str | None) -> User:
    """Use case: how people reach a user (e-mail and phone; empty leaves it unset)."""
    with engine.transaction() as uow:
        user = _load(uow.connection, username.strip().lower())
        uow.connection.execute(
            update(app_user)
            .where(app_user.c.id == user.id)
            .values(email=_check_email(email), phone=_check_phone(phone))
        )
        return _load(uow.connection, user.username)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.")


def generate_password() -> str:
    """A random password that is easy to type (for demo users and new accounts)."""
    return secrets.token_urlsafe(12)


def add_user(
    engine: Engine,
    username: str,
    roles: Iterable[str],
    password: str,
    display_name: str | None = None,
    email: str | None = None,
    teams: Iterable[str] = (),
    phone: str | None = None,
) -> User:
    """Use case: create an account with these roles (and teams)."""
    name = _check_username(username)
    wanted = check_roles(roles, engine.deployed_lanes())
    in_teams = check_teams(teams)
    _check_password(password)
    with engine.transaction() as uow:
        conn = uow.connection
        if conn.execute(select(app_user.c.id).where(app_user.c.username == name)).first():
            raise AccountError(f"Gebruiker '{name}' bestaat al; gebruik 'users set-roles'.")
        user_id = conn.execute(
            insert(app_user).values(
                username=name,
                display_name=(display_name or name).strip(),
                email=_check_email(email),
                phone=_check_phone(phone),
                password_hash=_hasher.hash(password),
                created_at=engine.now(),
            )
        ).inserted_primary_key
        assert user_id is not None  # noqa: S101 - the database always returns the new key
        _insert_members(conn, user_role.c.role, user_id[0], wanted)
        _insert_members(conn, user_team.c.team, user_id[0], in_teams)
        return _load(conn, name)


def set_roles(engine: Engine, username: str, roles: Iterable[str]) -> User:
    """Use case: replace a user's roles."""
    return _replace_members(
        engine, username, user_role.c.role, check_roles(roles, engine.deployed_lanes())
    )


def set_teams(engine: Engine, username: str, teams: Iterable[str]) -> User:
    """Use case: replace the teams a user belongs to (none: only tasks without a team)."""
    return _replace_members(engine, username, user_team.c.team, check_teams(teams))


def _replace_members(
    engine: Engine, username: str, column: Column[Any], values: Iterable[str]
) -> User:
    """Replace a user's rows in a membership table (roles or teams) in one transaction."""
    with engine.transaction() as uow:
        user = _load(uow.connection, username.strip().lower())
        table = column.table
        uow.connection.execute(delete(table).where(table.c.user_id == user.id))
        _insert_members(uow.connection, column, user.id, values)
        return _load(uow.connection, user.username)


def _insert_members(
    conn: Connection, column: Column[Any], user_id: int, values: Iterable[str]
) -> None:
    rows = [{"user_id": user_id, column.key: value} for value in values]
    if rows:
        conn.execute(insert(column.table), rows)


def set_password(engine: Engine, username: str, password: str) -> User:
    """Use case: give a user a new password (and lift a lock)."""
    _check_password(password)
    with engine.transaction() as uow:
        user = _load(uow.connection, username.strip().lower())
        uow.connection.execute(
            update(app_user)
            .where(app_user.c.id == user.id)
            .values(password_hash=_hasher.hash(password))
        )
        uow.connection.execute(
            delete(login_attempt).where(login_attempt.c.username == user.username)
        )
        return user


def _session_key(password_hash: str, generation: int) -> str:
    return hashlib.sha256(f"{password_hash}|{generation}".encode()).hexdigest()[:24]


def end_sessions(engine: Engine, username: str) -> User:
    """Use case: end every session of this user (logout, "log out everywhere"): each earlier
    session cookie is refused on its next request."""
    with engine.transaction() as uow:
        user = _load(uow.connection, username.strip().lower())
        uow.connection.execute(
            update(app_user)
            .where(app_user.c.id == user.id)
            .values(session_generation=app_user.c.session_generation + 1)
        )
        return _load(uow.connection, user.username)


def set_active(engine: Engine, username: str, active: bool) -> User:
    """Use case: disable a user (their sessions end at once; they cannot log in) or enable again."""
    with engine.transaction() as uow:
        user = _load(uow.connection, username.strip().lower())
        uow.connection.execute(
            update(app_user)
            .where(app_user.c.id == user.id)
            .values(active=active, session_generation=app_user.c.session_generation + 1)
        )
        return _load(uow.connection, user.username)


def list_users(engine: Engine) -> list[User]:
    with engine.reading() as conn:
        return _users(conn, None)


#: one user with every role and team (rows: roles × teams; every page loads the session's user)
_ONE_USER = (
    select(
        app_user.c.id,
        app_user.c.username,
        app_user.c.display_name,
        app_user.c.email,
        app_user.c.phone,
        app_user.c.active,
        app_user.c.password_hash,
        app_user.c.session_generation,
        user_role.c.role,
        user_team.c.team,
    )
    .outerjoin(user_role, user_role.c.user_id == app_user.c.id)
    .outerjoin(user_team, user_team.c.user_id == app_user.c.id)
    .where(app_user.c.username == bindparam("b_username"))
)


def get_user(engine: Engine, username: str) -> User | None:
    """The active user with this name, or None (one statement: it runs on every request)."""
    name = username.strip().lower()
    with engine.statement_reads() as reads:
        rows = reads.all(_ONE_USER, {"b_username": name})
    if not rows or not rows[0].active:
        return None
    first = rows[0]
    return User(
        id=int(first.id),
        username=first.username,
        display_name=first.display_name,
        email=first.email,
        roles=frozenset(r.role for r in rows if r.role),
        active=True,
        session_key=_session_key(first.password_hash, first.session_generation),
        teams=frozenset(r.team for r in rows if r.team),
        phone=first.phone,
    )


def authenticate(engine: Engine, username: str, password: str) -> User:
    """Use case: check a login; counts failures per typed name and locks it after too many.

    The password check (Argon2, ~0.1 s) runs outside any write transaction, so logins never
    hold up other work; a known and an unknown name get the same answers in the same time.
    """
    name = username.strip().lower()[:200]
    now = engine.now()
    with engine.reading() as conn:
        row = conn.execute(select(app_user).where(app_user.c.username == name)).first()
        attempt = conn.execute(
            select(login_attempt.c.locked_until).where(login_attempt.c.username == name)
        ).first()
    real = row is not None and bool(row.active)
    correct = _verify(row.password_hash if row is not None and real else _dummy(), password)
    correct = correct and real
    locked_until = as_utc(attempt.locked_until) if attempt and attempt.locked_until else None
    if locked_until is not None and locked_until > now:
        raise _locked(locked_until, now)
    if not correct:
        with engine.transaction() as uow:
            _count_failure(uow.connection, name, now)
        raise LoginRefusedError("Gebruikersnaam of wachtwoord klopt niet.")
    assert row is not None  # noqa: S101 - `correct` implies a real row
    values: dict[str, object] = {"last_login_at": now}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    with engine.transaction() as uow:
        uow.connection.execute(update(app_user).where(app_user.c.id == row.id).values(**values))
        uow.connection.execute(delete(login_attempt).where(login_attempt.c.username == name))
        return _load(uow.connection, name)


def _locked(until: datetime, now: datetime) -> LoginRefusedError:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return LoginRefusedError(
        "Te veel mislukte inlogpogingen. Probeer het over "
        f"{minutes} minu{'ut' if minutes == 1 else 'ten'} opnieuw, of vraag de beheerder "
        "om een nieuw wachtwoord."
    )


def _count_failure(conn: Connection, name: str, now: datetime) -> None:
    """Add one failure atomically (parallel guesses all count) and lock when there are too many."""
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    upsert = insert_(login_attempt).values(username=name, failures=1, updated_at=now)
    failures = conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[login_attempt.c.username],
            set_={"failures": login_attempt.c.failures + 1, "updated_at": now},
        ).returning(login_attempt.c.failures)
    ).scalar_one()
    if failures >= MAX_FAILURES:
        lock = min(MAX_LOCK, FIRST_LOCK * 2 ** (failures - MAX_FAILURES))
        conn.execute(
            update(login_attempt)
            .where(login_attempt.c.username == name)
            .values(locked_until=now + lock)
        )


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _load(conn: Connection, username: str) -> User:
    found = _users(conn, username)
    if not found:
        raise NotFoundError(f"Gebruiker '{username}' bestaat niet.")
    return found[0]


def _users(conn: Connection, username: str | None) -> list[User]:
    query = (
        select(app_user, user_role.c.role)
        .outerjoin(user_role, user_role.c.user_id == app_user.c.id)
        .order_by(app_user.c.username, user_role.c.role)
    )
    if username is not None:
        query = query.where(app_user.c.username == username)
    rows: dict[int, Any] = {}
    roles: dict[int, set[str]] = {}
    for row in conn.execute(query):
        rows.setdefault(row.id, row)
        held = roles.setdefault(row.id, set())
        if row.role:
            held.add(row.role)
    teams: dict[int, set[str]] = {}
    if rows:
        member = select(user_team.c.user_id, user_team.c.team)
        if username is not None:
            member = member.where(user_team.c.user_id.in_(list(rows)))
        for user_id, team in conn.execute(member):
            teams.setdefault(user_id, set()).add(team)
    return [
        User(
            id=int(r.id),
            username=r.username,
            display_name=r.display_name,
            email=r.email,
            roles=frozenset(roles[key]),
            active=bool(r.active),
            session_key=_session_key(r.password_hash, r.session_generation),
            teams=frozenset(teams.get(key, ())),
            phone=r.phone,
        )
        for key, r in rows.items()
    ]


def known_teams(engine: Engine) -> frozenset[str]:
    """The teams tasks have been for so far (to catch a mistyped team name when one is given)."""
    with engine.reading() as conn:
        found = conn.execute(
            select(human_task.c.candidate_group)
            .where(human_task.c.candidate_group.is_not(None))
            .distinct()
        ).scalars()
        return frozenset(str(team) for team in found)
