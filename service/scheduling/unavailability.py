"""People's leave and blackout dates: the planner and booking treat them as busy."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from service.directory.service import get_person
from service.errors import NotFound, invalid_field
from service.scheduling.disclosure import Viewer, may_see_leave_reason
from service.scheduling.models import PersonUnavailability
from service.scheduling.schemas import UnavailabilityIn, UnavailabilityRead

MAX_LENGTH = timedelta(days=366)


def _read(item: PersonUnavailability, *, with_reason: bool = True) -> UnavailabilityRead:
    return UnavailabilityRead(
        id=item.id or 0,
        person_id=item.person_id,
        start=item.start_utc,
        end=item.end_utc,
        reason=item.reason if with_reason else None,
    )


def list_for_person(db: Session, person_id: int, viewer: Viewer) -> list[UnavailabilityRead]:
    """The person's leave, with the reasons only if `viewer` may see them."""
    get_person(db, person_id)
    items = db.exec(
        select(PersonUnavailability)
        .where(PersonUnavailability.person_id == person_id)
        .order_by(col(PersonUnavailability.start_utc))
    )
    with_reason = may_see_leave_reason(viewer, person_id)
    return [_read(item, with_reason=with_reason) for item in items]


def add(db: Session, person_id: int, data: UnavailabilityIn) -> UnavailabilityRead:
    get_person(db, person_id)
    if data.end <= data.start:
        raise invalid_field("end", "must come after start")
    if data.end - data.start > MAX_LENGTH:
        raise invalid_field("end", "leave may last at most a year per entry")
    item = PersonUnavailability(
        person_id=person_id,
        start_utc=data.start,
        end_utc=data.end,
        reason=data.reason.strip() or "leave",
    )
    db.add(item)
    db.flush()
    return _read(item)


def remove(db: Session, person_id: int, item_id: int) -> None:
    item = db.get(PersonUnavailability, item_id)
    if item is None or item.person_id != person_id:
        raise NotFound(f"No unavailability {item_id} for person {person_id}.")
    db.delete(item)
    db.flush()
