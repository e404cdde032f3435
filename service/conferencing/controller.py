"""Bridges JSON API. Provider settings (API secrets) are write-only."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from service.auth.guards import staff_only
from service.conferencing import service as bridges
from service.conferencing.schemas import BridgeRead, BridgeUpdate, BridgeWrite
from service.dependencies import Db


class BridgeController(Controller):
    path = "/bridges"
    tags = ["bridges"]

    @get(sync_to_thread=True)
    def list_bridges(self, db: Db) -> list[BridgeRead]:
        return [BridgeRead.model_validate(b) for b in bridges.list_bridges(db)]

    @get("/{bridge_id:int}", sync_to_thread=True)
    def get_bridge(self, db: Db, bridge_id: FromPath[int]) -> BridgeRead:
        return BridgeRead.model_validate(bridges.get_bridge(db, bridge_id))

    @post(guards=[staff_only], sync_to_thread=True)
    def create_bridge(self, db: Db, data: JSONBody[BridgeWrite]) -> BridgeRead:
        return BridgeRead.model_validate(bridges.create_bridge(db, data))

    @patch("/{bridge_id:int}", guards=[staff_only], sync_to_thread=True)
    def update_bridge(
        self, db: Db, bridge_id: FromPath[int], data: JSONBody[BridgeUpdate]
    ) -> BridgeRead:
        return BridgeRead.model_validate(bridges.update_bridge(db, bridge_id, data))
