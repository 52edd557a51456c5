"""`wegwijs users …`: accounts, roles, teams and passwords."""

from __future__ import annotations

from typing import Any

import click

from webui.cli.common import engine, print_json, table
from workflows import accounts


@click.group()
def users() -> None:
    """Gebruikers en rollen beheren."""


@users.command("add")
@click.argument("username")
@click.option("--roles", required=True, help="Rollen, komma-gescheiden, bv. casist,vakspecialist.")
@click.option(
    "--password", default=None, help="Wachtwoord (zonder: er wordt er een gemaakt en getoond)."
)
@click.option("--name", "display_name", default=None, help="Volledige naam.")
@click.option(
    "--email", default=None, help="E-mailadres (voor initiatiefnemers van wie dit de casist is)."
)
@click.option("--phone", default=None, help="Telefoonnummer (idem).")
@click.option(
    "--teams",
    default="",
    help="Teams, komma-gescheiden, bv. BELEID,STADSBEHEER: taken voor een team (zoals de "
    "beoordeling van een aspect) gaan naar de leden ervan.",
)
def users_add(
    username: str,
    roles: str,
    password: str | None,
    display_name: str | None,
    email: str | None,
    phone: str | None,
    teams: str,
) -> None:
    """Maak een gebruiker aan met rollen (en teams)."""
    generated = password is None
    secret = password or accounts.generate_password()
    eng = engine()
    user = accounts.add_user(
        eng, username, roles.split(","), secret, display_name, email, teams.split(","), phone
    )
    click.echo(f"Gebruiker {user.username} aangemaakt met rollen: {', '.join(sorted(user.roles))}.")
    if user.teams:
        click.echo(f"Teams: {', '.join(sorted(user.teams))}.")
        _warn_unknown_teams(eng, user.teams)
    if generated:
        click.echo(f"Wachtwoord: {secret}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """Toon alle gebruikers en hun rollen."""
    found = accounts.list_users(engine())
    if as_json:
        print_json(
            [
                {
                    "username": u.username,
                    "name": u.display_name,
                    "email": u.email,
                    "phone": u.phone,
                    "roles": sorted(u.roles),
                    "teams": sorted(u.teams),
                    "active": u.active,
                }
                for u in found
            ]
        )
        return
    table(
        [
            (
                u.username,
                u.display_name,
                ", ".join(sorted(u.roles)),
                ", ".join(sorted(u.teams)) or "–",
                "ja" if u.active else "nee",
            )
            for u in found
        ],
        ["gebruiker", "naam", "rollen", "teams", "actief"],
    )


@users.command("set-roles")
@click.argument("username")
@click.argument("roles")
def users_set_roles(username: str, roles: str) -> None:
    """Vervang de rollen van een gebruiker (komma-gescheiden)."""
    user = accounts.set_roles(engine(), username, roles.split(","))
    click.echo(f"Rollen van {user.username}: {', '.join(sorted(user.roles))}.")


@users.command("set-teams")
@click.argument("username")
@click.argument("teams", default="")
def users_set_teams(username: str, teams: str) -> None:
    """Vervang de teams van een gebruiker (komma-gescheiden; leeg: geen team)."""
    eng = engine()
    user = accounts.set_teams(eng, username, teams.split(","))
    shown = ", ".join(sorted(user.teams)) or "geen (alleen taken zonder team)"
    click.echo(f"Teams van {user.username}: {shown}.")
    _warn_unknown_teams(eng, user.teams)


def _warn_unknown_teams(engine: Any, teams: frozenset[str]) -> None:
    """A team no task has been for yet is probably mistyped: say so (it is still saved)."""
    known = accounts.known_teams(engine)
    unknown = sorted(teams - known)
    if known and unknown:
        click.echo(
            f"Let op: voor {', '.join(unknown)} is nog nooit een taak geweest; klopt de naam? "
            f"Bekende teams: {', '.join(sorted(known))}.",
            err=True,
        )


@users.command("set-contact")
@click.argument("username")
@click.option("--email", default=None)
@click.option("--phone", default=None)
def users_set_contact(username: str, email: str | None, phone: str | None) -> None:
    """Leg vast hoe men een gebruiker bereikt (e-mail, telefoon; leeg laat het leeg)."""
    user = accounts.set_contact(engine(), username, email, phone)
    click.echo(f"Contact van {user.username}: {user.email or '–'}, {user.phone or '–'}.")


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_set_password(username: str, password: str) -> None:
    """Geef een gebruiker een nieuw wachtwoord (heft ook een blokkade op)."""
    user = accounts.set_password(engine(), username, password)
    click.echo(f"Wachtwoord van {user.username} gewijzigd.")


@users.command("logout")
@click.argument("username")
def users_logout(username: str) -> None:
    """Beëindig alle sessies van een gebruiker (overal uitloggen)."""
    user = accounts.end_sessions(engine(), username)
    click.echo(f"Alle sessies van {user.username} zijn beëindigd.")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Zet een gebruiker uit: inloggen kan niet meer en open sessies eindigen direct."""
    user = accounts.set_active(engine(), username, False)
    click.echo(f"{user.username} is uitgeschakeld; alle sessies zijn beëindigd.")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Zet een uitgeschakelde gebruiker weer aan."""
    user = accounts.set_active(engine(), username, True)
    click.echo(f"{user.username} kan weer inloggen.")


COMMANDS = (users,)
