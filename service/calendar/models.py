"""Calendar tables: the secret tokens of people's private feeds, and the change counter."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import (
    Column,
    CursorResult,
    ForeignKey,
    Integer,
    Result,
    Text,
    cast,
    event,
    func,
    select,
    update,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import get_history
from sqlmodel import Field, SQLModel, col

from service.auth.models import ApiToken, User
from service.calendars.models import CalendarEntry, OfficialList
from service.db import UTCDateTime, utcnow
from service.directory.models import Agency, Country, Person
from service.scheduling.models import (
    PersonUnavailability,
    Series,
    SessionCountry,
    SessionParticipant,
    VdoSession,
)


class FeedToken(SQLModel, table=True):
    """A person's private feed token; only its SHA-256 is stored, the token is shown once.

    One per person: rotating replaces it, revoking deletes it (the old URL then answers 404).
    """

    __tablename__ = "feed_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarVersion(SQLModel, table=True):
    """One counter, raised in the same transaction as any change that can alter some feed, some
    planner answer or who a bearer token speaks for.

    Calendar clients poll feeds far more often than anything changes, and planners ask about
    the same people again and again: while the counter stands still, both are answered from
    memory (`service.calendar.change_counter` tells each process when it moves).
    """

    __tablename__ = "calendar_version"

    id: int = Field(default=1, primary_key=True)
    value: int = 0


# What feeds are rendered from (or name) and what the planner plans with (leave, agencies,
# official calendars): a change to any of these raises the counter.
_COUNTED: tuple[type[SQLModel], ...] = (
    VdoSession,
    Series,
    SessionParticipant,
    SessionCountry,
    FeedToken,
    Country,
    Person,
    Agency,
    PersonUnavailability,
    CalendarEntry,
    OfficialList,
)
# Who a bearer token speaks for (its user, role and person, and whether both are still valid)
# is remembered by each process under the counter, so these columns raise it too; the rest of
# those rows (a token's last use, a rehashed password) change often and nothing cached reads
# them. UPDATE statements on these tables set only such columns: a revocation or a role change
# goes through the ORM, where the flush sees it (`test_token_owners_from_memory.py`).
_COUNTED_COLUMNS: dict[type[SQLModel], tuple[str, ...]] = {
    User: ("role", "person_id", "active"),
    ApiToken: ("user_id", "token_hash", "revoked_at"),
}
# PostgreSQL tells every listening process (LISTEN/NOTIFY) when a transaction that raised the
# counter commits; the payload is the counter's new value.
CHANGE_CHANNEL = "vdo_calendar_version"
_RAISED = "calendar_version_raised"  # in `Session.info` until the transaction ends


class LocalChanges:
    """How many transactions of this process raised the counter, counted after they commit.

    A process learns of its own changes at once (a client that books and then polls sees the
    booking), without waiting for its own notification or for the staleness bound."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def note(self) -> None:
        with self._lock:
            self._count += 1


LOCAL_CHANGES = LocalChanges()


def _raise_calendar_version(session: Session) -> None:
    raised = (
        update(CalendarVersion)
        .where(col(CalendarVersion.id) == 1)
        .values(value=CalendarVersion.value + 1)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Sent with the transaction: PostgreSQL delivers it on commit, and never on rollback.
        new_value = raised.returning(col(CalendarVersion.value)).cte("raised")
        session.execute(select(func.pg_notify(CHANGE_CHANNEL, cast(new_value.c.value, Text))))
    else:
        session.execute(raised)
    session.info[_RAISED] = True


def _counted(classes: Iterable[type[Any]]) -> bool:
    return any(issubclass(cls, _COUNTED) for cls in classes)


def _access_changed(session: Session) -> bool:
    """Whether a deleted or edited user or token changes who some token speaks for (a new one
    changes nothing remembered: an unknown token is never remembered)."""
    for row in session.deleted:
        if type(row) in _COUNTED_COLUMNS:
            return True
    for row in session.dirty:
        columns = _COUNTED_COLUMNS.get(type(row), ())
        if any(get_history(row, column).has_changes() for column in columns):
            return True
    return False


@event.listens_for(Session, "before_flush")
def _raise_on_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Where the counter moves for the ORM's own changes."""
    changed = chain(session.new, session.dirty, session.deleted)
    if _counted(type(row) for row in changed) or _access_changed(session):
        _raise_calendar_version(session)


@event.listens_for(Session, "do_orm_execute")
def _raise_on_bulk_change(state: ORMExecuteState) -> Result[Any] | None:
    """Where it moves for UPDATE and DELETE statements (releasing reservations, replacing an
    official list); only when they matched a row, so that a no-op takes no lock on the counter."""
    if not (state.is_update or state.is_delete) or not _counted(
        mapper.class_ for mapper in state.all_mappers
    ):
        return None
    result = state.invoke_statement()
    if not isinstance(result, CursorResult) or result.rowcount:
        _raise_calendar_version(state.session)
    return result


@event.listens_for(Session, "after_commit")
def _note_local_change(session: Session) -> None:
    if session.info.pop(_RAISED, False):
        LOCAL_CHANGES.note()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_change(session: Session) -> None:
    session.info.pop(_RAISED, None)
