"""Outbox and webhook receiver JSON. Message payloads (rendered mails with joining details) are
never shown; neither is a receiver's secret after its creation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from service.delivery.models import MessageKind, MessageState
from service.request_body import RequestBody

EventType = Literal["session.booked", "session.updated", "session.cancelled", "rsvp.received", "*"]


class OutboxMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: MessageKind
    recipient: str
    state: MessageState
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: str
    created_at: datetime
    sent_at: datetime | None


class WebhookReceiverIn(RequestBody):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(max_length=500)
    event_types: list[EventType] = Field(min_length=1, max_length=10)


class WebhookReceiverUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl | None = Field(default=None, max_length=500)
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=10)
    active: bool | None = None


class WebhookReceiverRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class WebhookReceiverCreated(WebhookReceiverRead):
    secret: str = Field(description="Verifies the signatures; shown only in this response")
