"""A real SMTP server for tests (aiosmtpd, in-process): it keeps what it accepts and refuses when
told to. The `postbox` fixture (tests/integration/conftest.py) starts one on a free port."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from typing import Any

from workflows import mail


class Postbox:
    """An aiosmtpd handler that keeps what it accepts, and refuses when told to."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.refuse_next = 0  # answer 451 (try later) to this many messages
        self.unknown: set[str] = set()  # addresses answered with 550 (no such mailbox)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Tijdelijk niet beschikbaar"
        self.received.append(message_from_bytes(envelope.content))
        return "250 OK"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def smtp_to(port: int) -> mail.SmtpSettings:
    return mail.SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5)


def text_of(message: Message, subtype: str = "plain") -> str:
    """The decoded text of a message's text/plain (or text/html) part."""
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text/{subtype} part")
