"""A real SMTP server (aiosmtpd) in this process, keeping what arrives, for delivery tests.

`down()` stops it (connections are refused) and `up()` starts it again on the same port, so a
test can keep one VDO_SMTP_URL across an outage.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Arrived:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, message_from_bytes(self.raw, policy=policy.default))


class _Handler:
    def __init__(self, catcher: MailCatcher):
        self.catcher = catcher

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.catcher.delay_seconds:
            await asyncio.sleep(self.catcher.delay_seconds)
        with self.catcher.lock:
            self.catcher.arrived.append(
                Arrived(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailCatcher:
    def __init__(self) -> None:
        self.port = _free_port()
        self.arrived: list[Arrived] = []
        self.delay_seconds = 0.0  # a slow server: each message takes this long to accept
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def up(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [arrived.message for arrived in self.arrived]

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages()]
