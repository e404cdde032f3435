"""Reading issued circulars: who may read which, and their stored bytes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.circulars.models import Circular, CircularDocument, DocumentFormat
from service.errors import Forbidden, NotFound
from service.queries import get_or_404
from service.scheduling import queries as sessions
from service.scheduling.disclosure import Viewer
from service.scheduling.models import VdoSession


def _invited(db: Session, session_id: int, viewer: Viewer) -> bool:
    invitees = sessions.invitees_of(db, [session_id])[session_id]
    return viewer.person_id is not None and any(p.id == viewer.person_id for _, p in invitees)


def may_read(db: Session, circular: Circular, viewer: Viewer) -> bool:
    """Staff, anyone for a public circular, and the invitees of the circular's session."""
    return viewer.is_staff or circular.public or _invited(db, circular.session_id, viewer)


def session_circulars(db: Session, session_id: int, viewer: Viewer) -> list[Circular]:
    """The session's circulars `viewer` may read, oldest first."""
    get_or_404(db, VdoSession, session_id, "session")
    rows = db.exec(
        select(Circular).where(Circular.session_id == session_id).order_by(col(Circular.id))
    ).all()
    if viewer.is_staff or _invited(db, session_id, viewer):
        return list(rows)
    return [row for row in rows if row.public]


def readable_circular(db: Session, circular_id: int, viewer: Viewer) -> Circular:
    circular = get_or_404(db, Circular, circular_id, "circular")
    if not may_read(db, circular, viewer):
        raise Forbidden("Circulars go to the session's invitees and the secretariat.")
    return circular


def documents(db: Session, circular_ids: Sequence[int]) -> dict[int, list[tuple[str, str, int]]]:
    """(format, sha256, size) of every stored representation, per circular, without the bytes."""
    found: dict[int, list[tuple[str, str, int]]] = {i: [] for i in circular_ids}
    rows = db.exec(
        select(
            CircularDocument.circular_id,
            CircularDocument.format,
            CircularDocument.sha256,
            func.length(CircularDocument.content),
        ).where(col(CircularDocument.circular_id).in_(list(circular_ids)))
    )
    for circular_id, fmt, sha256, size in rows:
        found[circular_id].append((fmt, sha256, size))
    return found


def document(db: Session, circular_id: int, fmt: DocumentFormat) -> CircularDocument:
    found = db.get(CircularDocument, (circular_id, fmt.value))
    if found is None:
        raise NotFound(f"Circular {circular_id} has no {fmt.value} document.")
    return found
