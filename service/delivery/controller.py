"""Outbox (staff) and webhook receivers (administrators): thin handlers over delivery.service."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from service.auth.guards import admin_only, staff_only
from service.delivery import service as delivery
from service.delivery.models import MessageState
from service.delivery.schemas import (
    OutboxMessageRead,
    WebhookReceiverCreated,
    WebhookReceiverIn,
    WebhookReceiverRead,
    WebhookReceiverUpdate,
)
from service.dependencies import Db
from service.queries import Page

Limit = Annotated[int, Parameter(ge=1, le=500)]
Offset = Annotated[int, Parameter(ge=0)]


class OutboxController(Controller):
    path = "/outbox"
    tags = ["delivery"]
    guards = [staff_only]

    # "state" is Litestar's name for the application state, so the query parameter is mapped.
    @get(sync_to_thread=True, summary="Messages with their state, attempts and last error")
    def list_messages(
        self,
        db: Db,
        message_state: Annotated[MessageState | None, QueryParameter(name="state")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[OutboxMessageRead]:
        rows, total = delivery.list_messages(db, message_state, limit, offset)
        items = [OutboxMessageRead.model_validate(row) for row in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/{message_id:int}/retry",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Try a dead message again (409 unless dead)",
    )
    def retry(self, db: Db, message_id: FromPath[int]) -> OutboxMessageRead:
        return OutboxMessageRead.model_validate(delivery.retry(db, message_id))


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["delivery"]
    guards = [admin_only]

    @get(sync_to_thread=True, summary="Webhook receivers (secrets are not shown)")
    def list_receivers(self, db: Db) -> list[WebhookReceiverRead]:
        return [WebhookReceiverRead.model_validate(r) for r in delivery.list_receivers(db)]

    @post(sync_to_thread=True, summary="Register a receiver; its signing secret is shown once")
    def create_receiver(self, db: Db, data: JSONBody[WebhookReceiverIn]) -> WebhookReceiverCreated:
        return WebhookReceiverCreated.model_validate(delivery.create_receiver(db, data))

    @patch("/{receiver_id:int}", sync_to_thread=True)
    def update_receiver(
        self, db: Db, receiver_id: FromPath[int], data: JSONBody[WebhookReceiverUpdate]
    ) -> WebhookReceiverRead:
        return WebhookReceiverRead.model_validate(delivery.update_receiver(db, receiver_id, data))

    @delete("/{receiver_id:int}", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def delete_receiver(self, db: Db, receiver_id: FromPath[int]) -> None:
        delivery.delete_receiver(db, receiver_id)
