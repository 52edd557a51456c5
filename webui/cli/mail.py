"""`wegwijs mail …`: the e-mail in the outbox that was not sent (yet); a round of sending now."""

from __future__ import annotations

import click

from webui.cli.common import engine, fmt, system, table
from workflows import bootstrap, mail


@click.group("mail")
def mail_group() -> None:
    """E-mail uit de outbox: wat nog niet is verstuurd, en nu versturen."""


@mail_group.command("list")
def mail_list() -> None:
    """Toon de berichten die nog niet zijn verstuurd (opgegeven berichten eerst)."""
    pending = mail.not_sent(engine())
    if not pending:
        click.echo("Alle berichten zijn verstuurd.")
        return
    table(
        [
            (
                m.id,
                m.zaaknummer or "–",
                m.subject,
                m.to,
                m.attempts,
                f"opgegeven {fmt(m.gave_up_at)}: {m.last_error}"
                if m.gave_up_at
                else f"volgende poging {fmt(m.next_attempt_at)}"
                if m.next_attempt_at
                else "wacht",
            )
            for m in pending
        ],
        ["nr", "zaak", "onderwerp", "aan", "pogingen", "stand"],
    )


@mail_group.command("send")
def mail_send() -> None:
    """Verstuur nu de berichten die aan de beurt zijn (zoals de achtergrondronde van 'serve')."""
    smtp = bootstrap.settings_from_env().smtp
    if smtp is None:
        raise click.ClickException(
            "Er is geen mailserver ingesteld: zet WEGWIJS_SMTP_HOST (en zo nodig _PORT, "
            "_SECURITY, _USER, _PASSWORD, _FROM)."
        )
    settings = bootstrap.settings_from_env()
    done = mail.send_due(engine(), smtp, bootstrap.links(settings))
    click.echo(
        f"{done.sent} verstuurd, {done.retry_later} later opnieuw, {done.given_up} opgegeven."
    )


@mail_group.command("retry")
@click.argument("number", type=int)
@click.option("--user", default=None, help="Wie dit doet (voor de geschiedenis).")
def mail_retry(number: int, user: str | None) -> None:
    """Zet opgegeven bericht NUMMER (uit 'wegwijs mail list') weer in de wachtrij."""
    if mail.try_again(engine(), system(user), number):
        click.echo(f"Bericht {number} staat weer in de wachtrij.")
    else:
        raise click.ClickException(f"Bericht {number} is al verstuurd of bestaat niet.")


COMMANDS = [mail_group]
