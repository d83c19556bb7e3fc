"""A local SMTP server that prints every email it receives (for the demo)."""

from __future__ import annotations

from email import message_from_bytes, policy
import time
from typing import Any

from aiosmtpd.controller import Controller


class PrintMail:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        attachments = [
            f"{part.get_filename()} ({len(part.get_content())} bytes)"
            for part in message.iter_attachments()
        ]
        body = message.get_body(("plain",))
        print(
            f"\n=== email to {', '.join(envelope.rcpt_tos)} ===\nSubject: {message['Subject']}\n"
            f"{body.get_content() if body else ''}\nAttachments: {', '.join(attachments) or 'none'}\n",
            flush=True,
        )
        return "250 OK"


if __name__ == "__main__":
    controller = Controller(PrintMail(), hostname="127.0.0.1", port=8025)
    controller.start()
    print("Console mail server on 127.0.0.1:8025", flush=True)
    while True:
        time.sleep(3600)
