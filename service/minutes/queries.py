"""Reads of agendas and minutes as `records` values, for circulars, emails and pages."""

from __future__ import annotations

from sqlmodel import Session

from service.minutes.records import STANDARD_AGENDA, AgendaLine, MinutesRecord


def agenda_outline(db: Session, session_id: int) -> list[AgendaLine]:
    """The session's agenda in order; the standard agenda while staff have not set one."""
    del db, session_id  # no stored agendas yet: every session has the standard one
    return [AgendaLine(str(n), title) for n, title in enumerate(STANDARD_AGENDA, start=1)]


def minutes_record(db: Session, session_id: int) -> MinutesRecord | None:
    """The latest revision of the session's minutes, or None while nobody has written any."""
    del db, session_id  # no stored minutes yet
    return None
