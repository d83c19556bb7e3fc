"""A local SMTP server that prints every email it receives (for the demo; the browser tests read it).

``python scripts/tools/mail_console.py [PORT]`` serves on 127.0.0.1:PORT (8025 by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
import sys
import threading
import time
from typing import Any, cast

from aiosmtpd.controller import Controller

PORT = 8025


@dataclass(frozen=True)
class Mail:
    """One received email, as its reader sees it."""

    recipients: list[str]
    subject: str
    body: str
    attachments: list[str]

    def __str__(self) -> str:
        return (
            f"\n=== email to {', '.join(self.recipients)} ===\nSubject: {self.subject}\n"
            f"{self.body}\nAttachments: {', '.join(self.attachments) or 'none'}\n"
        )


class PrintMail:
    """Prints each email and keeps it in ``mails``."""

    def __init__(self, echo: bool = True) -> None:
        self.echo = echo
        self.mails: list[Mail] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = cast(
            "EmailMessage", message_from_bytes(envelope.original_content, policy=policy.default)
        )
        body = message.get_body(("plain",))
        mail = Mail(
            recipients=list(envelope.rcpt_tos),
            subject=str(message["Subject"]),
            body=str(body.get_content()) if body else "",  # type: ignore[attr-defined]
            attachments=[
                f"{part.get_filename()} ({len(part.get_content())} bytes)"
                for part in message.iter_attachments()
            ],
        )
        if self.echo:
            print(mail, flush=True)
        with self.arrived:
            self.mails.append(mail)
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int = 1, seconds: float = 60) -> list[Mail]:
        """Until ``count`` emails have arrived (all of them then), or TimeoutError."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.mails) >= count, seconds):
                raise TimeoutError(f"{len(self.mails)} of {count} emails after {seconds} s")
            return list(self.mails)


def serve(port: int = PORT, echo: bool = True) -> tuple[Controller, PrintMail]:
    """A running mail server on 127.0.0.1:``port`` (stop it with ``controller.stop()``)."""
    handler = PrintMail(echo)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else PORT
    serve(port)
    print(f"Console mail server on 127.0.0.1:{port}: the demo's emails appear here", flush=True)
    while True:
        time.sleep(3600)
