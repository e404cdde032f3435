"""The outbox worker: claim due messages, deliver them outside any transaction, record outcomes.

- Claiming is atomic on both databases: candidates are selected (`FOR UPDATE SKIP LOCKED` on
  PostgreSQL, so workers side by side take disjoint batches; SQLite serializes writers) and then
  taken by a conditional UPDATE that only matches messages still due. A claim is a lease: a
  message still "sending" after `lease_seconds` belonged to a worker that died, and is taken again.
- Delivery happens with no transaction open. Each outcome is recorded as soon as it is known,
  under the claim's token, so that a worker whose lease lapsed cannot overwrite a newer claim.
  A crash between sending and recording sends that one message again, with the same Message-ID
  (or webhook-id), so the receiving side can recognise the copy.
- Failures retry with exponential backoff and jitter; after `max_attempts` the message is dead
  with its last error, until staff retry it.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, Engine, and_, or_, update
from sqlmodel import Session, col, select

from service.conferencing.details import MeetingDetails
from service.conferencing.models import Bridge
from service.conferencing.providers import ProviderError, provider_for
from service.db import read_only, session_scope, utcnow
from service.delivery import webhooks
from service.delivery.mail import Mailbox
from service.delivery.models import MessageKind, MessageState, OutboxMessage, WebhookReceiver
from service.delivery.reminders import enqueue_due_reminders
from service.delivery.smtp import SmtpSender, SmtpTarget
from service.settings import DeliverySettings, Settings

log = logging.getLogger("vdo.worker")
_random = secrets.SystemRandom()
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: MessageKind
    payload: dict[str, Any]
    recipient: str
    message_id: str
    attempts: int
    claim_token: str


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            col(OutboxMessage.state) == MessageState.pending,
            col(OutboxMessage.next_attempt_at) <= now,
        ),
        and_(
            col(OutboxMessage.state) == MessageState.sending,
            col(OutboxMessage.lease_expires_at) < now,
        ),
    )


def claim(engine: Engine, delivery: DeliverySettings, now: datetime | None = None) -> list[Claimed]:
    """Take up to `batch_size` due messages for this worker (one short transaction)."""
    now = now or utcnow()
    token = secrets.token_hex(8)
    with session_scope(engine) as db:
        candidates = list(
            db.exec(
                select(OutboxMessage.id)
                .where(_due(now))
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(delivery.batch_size)
                .with_for_update(skip_locked=True)
            )
        )
        if not candidates:
            return []
        db.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(candidates), _due(now))
            .values(
                state=MessageState.sending,
                claim_token=token,
                lease_expires_at=now + timedelta(seconds=delivery.lease_seconds),
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )
        rows = db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.claim_token == token)
            .order_by(col(OutboxMessage.id))
        )
        return [
            Claimed(
                id=row.id or 0,
                kind=MessageKind(row.kind),
                payload=row.payload,
                recipient=row.recipient,
                message_id=row.message_id,
                attempts=row.attempts,
                claim_token=token,
            )
            for row in rows
        ]


def backoff(delivery: DeliverySettings, attempts: int) -> timedelta:
    """Exponential, capped, with jitter (between half and all of the delay), so that messages
    that failed together do not all come back at the same moment."""
    delay = min(delivery.backoff_max_seconds, delivery.backoff_seconds * 2 ** (attempts - 1))
    return timedelta(seconds=_random.uniform(delay / 2, delay))


def _mine(message: Claimed) -> ColumnElement[bool]:
    return and_(
        col(OutboxMessage.id) == message.id,
        col(OutboxMessage.claim_token) == message.claim_token,
        col(OutboxMessage.state) == MessageState.sending,
    )


def record_sent(engine: Engine, message: Claimed) -> None:
    # Plain Core on a connection: this runs once per message and is the worker's main cost.
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Not waiting for the disk: should the database itself crash in the next instant,
            # the message is sent again with the same Message-ID, which mail clients recognise.
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        connection.execute(
            update(OutboxMessage)
            .where(_mine(message))
            .values(
                state=MessageState.sent,
                sent_at=utcnow(),
                lease_expires_at=None,
                last_error=None,
            )
        )


def record_failure(
    engine: Engine, delivery: DeliverySettings, message: Claimed, error: str
) -> None:
    dead = message.attempts >= delivery.max_attempts
    # No recipient in the log: a receiver's URL may carry its own token.
    log.warning(
        "outbox message %d (%s) failed, attempt %d%s: %s",
        message.id,
        message.kind,
        message.attempts,
        ", giving up" if dead else "",
        error,
    )
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(_mine(message))
            .values(
                state=MessageState.dead if dead else MessageState.pending,
                next_attempt_at=utcnow() + backoff(delivery, message.attempts),
                lease_expires_at=None,
                last_error=error[:MAX_ERROR_LENGTH],
            )
        )


class DeliveryFailed(Exception):
    pass


class Worker:
    """One worker: its SMTP connection (kept while there is work, closed when idle) and its HTTP
    client for webhooks and video providers (made on first need)."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.sender_address = Mailbox.parse(settings.mail_from).email
        self.smtp = SmtpSender(
            SmtpTarget.from_url(settings.smtp_url), settings.delivery.smtp_timeout_seconds
        )
        self._http: httpx.Client | None = None
        # Set once the mail server could not be reached: the rest of the batch fails at once
        # instead of each message waiting for its own timeout.
        self._smtp_down: str | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                timeout=httpx.Timeout(self.settings.delivery.webhook_timeout_seconds)
            )
        return self._http

    def close(self) -> None:
        self.smtp.close()
        if self._http is not None:
            self._http.close()
            self._http = None

    def run_batch(self) -> int:
        """Claim one batch and deliver it; returns how many messages were claimed."""
        claimed = claim(self.engine, self.settings.delivery)
        if not claimed:
            self.smtp.close()  # idle: servers drop quiet connections anyway
            return 0
        self._smtp_down = None
        for message in claimed:
            try:
                self.deliver(message)
            except DeliveryFailed as exc:
                record_failure(self.engine, self.settings.delivery, message, str(exc))
            except Exception as exc:  # a bug must not stop the worker; the message says why
                log.exception("outbox message %d: unexpected error", message.id)
                error = f"{type(exc).__name__}: {exc}"
                record_failure(self.engine, self.settings.delivery, message, error)
            else:
                record_sent(self.engine, message)
        return len(claimed)

    def deliver(self, message: Claimed) -> None:
        """Deliver one message; DeliveryFailed says why not."""
        if message.kind == MessageKind.email:
            self._email(message)
        elif message.kind == MessageKind.webhook:
            self._webhook(message)
        else:
            self._end_meeting(message)

    def _email(self, message: Claimed) -> None:
        if self._smtp_down is not None:
            raise DeliveryFailed(self._smtp_down)
        try:
            self.smtp.send(self.sender_address, message.recipient, message.payload["mime"])
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {exc.recipients}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._smtp_down = f"mail server unreachable ({self.smtp.target.describe()}): {exc}"
            raise DeliveryFailed(self._smtp_down) from None

    def _read(self) -> Session:
        return Session(read_only(self.engine), expire_on_commit=False)

    def _webhook(self, message: Claimed) -> None:
        with self._read() as db:
            receiver = db.get(WebhookReceiver, message.payload["receiver_id"])
        if receiver is None or not receiver.active:
            raise DeliveryFailed("the webhook receiver was deleted or deactivated")
        try:
            webhooks.post_event(
                self.http,
                receiver.url,
                receiver.secret,
                message.message_id,
                int(time.time()),
                message.payload["body"],
            )
        except webhooks.WebhookError as exc:
            raise DeliveryFailed(str(exc)) from None

    def _end_meeting(self, message: Claimed) -> None:
        with self._read() as db:
            bridge = db.get(Bridge, message.payload["bridge_id"])
        if bridge is None:
            raise DeliveryFailed("the bridge was deleted")
        try:
            provider = provider_for(bridge.provider, bridge.settings, http=self.http)
            provider.end_meeting(MeetingDetails.from_json(message.payload["meeting"]))
        except ProviderError as exc:
            raise DeliveryFailed(exc.message) from None


def drain(engine: Engine, settings: Settings) -> int:
    """Deliver everything due now (`vdo worker --once`); returns how many were tried."""
    with session_scope(engine) as db:
        enqueue_due_reminders(db, settings)
    total = 0
    one = Worker(engine, settings)
    try:
        while tried := one.run_batch():
            total += tried
    finally:
        one.close()
    return total


REMINDER_SCAN_SECONDS = 60.0


def run_forever(
    engine: Engine,
    settings: Settings,
    stop: threading.Event,
) -> None:
    """Deliver until `stop` is set; look for due reminders about once a minute."""
    last_scan = 0.0
    one = Worker(engine, settings)
    try:
        while not stop.is_set():
            try:
                if time.monotonic() - last_scan >= REMINDER_SCAN_SECONDS:
                    with session_scope(engine) as db:
                        enqueue_due_reminders(db, settings)
                    last_scan = time.monotonic()
                if one.run_batch():
                    continue
            except Exception:  # the database may be away for a while: keep trying
                log.exception("outbox worker: could not work the outbox; trying again shortly")
            stop.wait(settings.delivery.poll_seconds)
    finally:
        one.close()


def start_in_thread(engine: Engine, settings: Settings) -> tuple[threading.Thread, threading.Event]:
    """One worker beside the web server (`vdo serve` with SQLite)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(engine, settings, stop), name="vdo-outbox-worker", daemon=True
    )
    thread.start()
    return thread, stop
