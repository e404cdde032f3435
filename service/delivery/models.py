"""The outbox and the webhook receivers.

An `OutboxMessage` row is written in the same transaction as the change that causes it, so a
change is never committed without its messages nor a message sent for a change that was rolled
back. Workers claim rows, deliver them outside any transaction and record the outcome.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class MessageState(StrEnum):
    pending = "pending"  # waiting for next_attempt_at
    sending = "sending"  # claimed by a worker until lease_expires_at
    sent = "sent"
    dead = "dead"  # gave up after the maximum number of attempts; staff may retry


class MessageKind(StrEnum):
    email = "email"  # payload: the rendered message ({"mime": ...})
    webhook = "webhook"  # payload: receiver id and the JSON event
    end_meeting = "end_meeting"  # payload: bridge id and the meeting's stored details


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    kind: MessageKind = Field(sa_column=Column(String(20), nullable=False))
    # Same key, same message: a second enqueue of it (a reminder run twice) is refused by the
    # unique index instead of being sent twice.
    dedupe_key: str = Field(max_length=200, unique=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # An email address or a webhook URL: what the outbox list shows; never a secret.
    recipient: str = Field(max_length=500)
    state: MessageState = Field(
        default=MessageState.pending, sa_column=Column(String(20), nullable=False, index=True)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # A worker's claim: a message still "sending" after this was claimed by a worker that died.
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Which claim the outcome belongs to, so a worker whose lease lapsed cannot overwrite it.
    claim_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=2000)
    # The email's Message-ID: the same on every attempt, so a copy sent twice is recognisable.
    message_id: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookReceiver(SQLModel, table=True):
    __tablename__ = "webhook_receiver"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500)
    # Signs the events (base64, as Standard Webhooks' "whsec_" secrets); shown once on creation.
    secret: str = Field(max_length=200)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
