"""Bridges: the configured video rooms, validated through their provider adapter."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from service.conferencing.models import Bridge
from service.conferencing.providers import BridgeSettingsError, validate_bridge_settings
from service.conferencing.schemas import BridgeUpdate, BridgeWrite
from service.errors import invalid_field
from service.queries import check_name_free, get_or_404


def _checked_settings(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    try:
        return validate_bridge_settings(kind, settings)
    except BridgeSettingsError as exc:
        raise invalid_field(f"settings.{exc.field}", exc.reason) from None


def list_bridges(db: Session) -> list[Bridge]:
    return list(db.exec(select(Bridge).order_by(Bridge.name)).all())


def get_bridge(db: Session, bridge_id: int) -> Bridge:
    return get_or_404(db, Bridge, bridge_id, "bridge")


def create_bridge(db: Session, data: BridgeWrite) -> Bridge:
    check_name_free(db, Bridge, data.name.strip(), "A bridge")
    bridge = Bridge(
        name=data.name.strip(),
        provider=data.provider,
        capacity=data.capacity,
        settings=_checked_settings(data.provider, data.settings),
        active=data.active,
    )
    db.add(bridge)
    db.flush()
    return bridge


def update_bridge(db: Session, bridge_id: int, data: BridgeUpdate) -> Bridge:
    bridge = get_bridge(db, bridge_id)
    if data.name is not None:
        check_name_free(db, Bridge, data.name.strip(), "A bridge", bridge_id)
        bridge.name = data.name.strip()
    if data.capacity is not None:
        bridge.capacity = data.capacity
    if data.settings is not None:
        bridge.settings = _checked_settings(bridge.provider, data.settings)
    if data.active is not None:
        bridge.active = data.active
    db.add(bridge)
    db.flush()
    return bridge
