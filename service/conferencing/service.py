"""Bridges: the configured video rooms, validated through their provider adapter."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from service.conferencing.models import Bridge
from service.conferencing.providers import BridgeSettingsError, validate_bridge_settings
from service.conferencing.schemas import BridgeUpdate, BridgeWrite
from service.errors import Conflict, NotFound, field_error, invalid_field


def _checked_settings(kind: str, settings: dict) -> dict:
    try:
        return validate_bridge_settings(kind, settings)
    except BridgeSettingsError as exc:
        raise invalid_field(f"settings.{exc.field}", exc.reason) from None


def _check_name_free(db: Session, name: str, bridge_id: int | None = None) -> None:
    clash = db.exec(select(Bridge).where(func.lower(Bridge.name) == name.lower())).first()
    if clash is not None and clash.id != bridge_id:
        raise Conflict(
            f"A bridge named {name!r} already exists.", errors=[field_error("name", "taken")]
        )


def list_bridges(db: Session) -> list[Bridge]:
    return list(db.exec(select(Bridge).order_by(Bridge.name)).all())


def get_bridge(db: Session, bridge_id: int) -> Bridge:
    bridge = db.get(Bridge, bridge_id)
    if bridge is None:
        raise NotFound(f"No bridge with id {bridge_id}.")
    return bridge


def create_bridge(db: Session, data: BridgeWrite) -> Bridge:
    _check_name_free(db, data.name.strip())
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
        _check_name_free(db, data.name.strip(), bridge_id)
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
