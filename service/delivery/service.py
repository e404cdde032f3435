"""Staff's view of the outbox and administrators' webhook receivers."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from service.db import utcnow
from service.delivery.models import MessageState, OutboxMessage, WebhookReceiver
from service.delivery.schemas import WebhookReceiverIn, WebhookReceiverUpdate
from service.delivery.webhooks import new_secret
from service.errors import Conflict
from service.queries import get_or_404, paginate


def list_messages(
    db: Session, state: MessageState | None, limit: int, offset: int
) -> tuple[list[OutboxMessage], int]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc())
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return paginate(db, query, limit, offset)


def count_by_state(db: Session) -> dict[MessageState, int]:
    """How many messages are in each state (the dashboard's "undelivered mail")."""
    rows = db.exec(
        select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))
    ).all()
    return {MessageState(state): count for state, count in rows}


def retry(db: Session, message_id: int) -> OutboxMessage:
    """A dead message gets a fresh set of attempts, starting now (a conditional update, so two
    staff retrying at once or a worker reclaiming it cannot interleave)."""
    message = get_or_404(db, OutboxMessage, message_id, "outbox message")
    retried = db.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.state) == MessageState.dead)
        .values(state=MessageState.pending, attempts=0, next_attempt_at=utcnow())
    )
    if retried.rowcount != 1:
        raise Conflict(
            f"Outbox message {message_id} is {message.state}; only dead messages are retried."
        )
    db.refresh(message)
    return message


def list_receivers(db: Session) -> list[WebhookReceiver]:
    return list(db.exec(select(WebhookReceiver).order_by(col(WebhookReceiver.id))))


def create_receiver(db: Session, data: WebhookReceiverIn) -> WebhookReceiver:
    receiver = WebhookReceiver(
        url=str(data.url), secret=new_secret(), event_types=list(dict.fromkeys(data.event_types))
    )
    db.add(receiver)
    db.flush()
    return receiver


def update_receiver(db: Session, receiver_id: int, data: WebhookReceiverUpdate) -> WebhookReceiver:
    receiver = get_or_404(db, WebhookReceiver, receiver_id, "webhook receiver")
    if data.url is not None:
        receiver.url = str(data.url)
    if data.event_types is not None:
        receiver.event_types = list(dict.fromkeys(data.event_types))
    if data.active is not None:
        receiver.active = data.active
    db.add(receiver)
    db.flush()
    return receiver


def delete_receiver(db: Session, receiver_id: int) -> None:
    db.delete(get_or_404(db, WebhookReceiver, receiver_id, "webhook receiver"))
    db.flush()
