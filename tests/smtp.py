"""A real SMTP server (aiosmtpd) for the mail tests, recording what it received."""

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Recorder:
    """The server's handler: keeps every accepted mail; can refuse or run a hook first."""

    messages: list[Message] = field(default_factory=list)
    refuse_data: list[str] = field(default_factory=list)  # answers to give to the next DATAs
    refuse_rcpt: str | None = None
    on_data: Callable[[], None] | None = None  # runs after the mail is stored, before "250"
    on_mail: Callable[[], None] | None = None  # runs when MAIL FROM arrives

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.on_mail is not None:
            self.on_mail()
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_data:
            return self.refuse_data.pop(0)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if self.on_data is not None:
            self.on_data()
        return "250 Message accepted for delivery"

    def by_subject(self, subject: str) -> list[Message]:
        return [m for m in self.messages if m["Subject"] == subject]


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


def body_of(message: Message, subtype: str) -> str:
    """The text/plain or text/html part of a received mail, decoded."""
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8").replace("\r\n", "\n")
    raise AssertionError(f"no text/{subtype} part")
