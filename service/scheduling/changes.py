"""Changing a booked session: rescheduling or editing it, and cancelling it.

With scope "following", an occurrence and the later ones of its series change together; the
series is split at the occurrence so that stored occurrences, invites and later extensions agree.
Every change is checked (past, people, bridge) before anything is written, and recorded through
`revisions.record_change`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytz
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.conferencing.models import Bridge
from service.errors import Conflict, invalid_field
from service.scheduling.invitations import (
    availability_problems,
    check_times,
    refuse_unacknowledged,
    resolve_invitation,
)
from service.scheduling.models import (
    Series,
    SessionStatus,
    VdoSession,
)
from service.scheduling.queries import get_session, invited_countries, invitees
from service.scheduling.recurrence import Continuation, RecurrenceRule, continue_series
from service.scheduling.reservations import (
    active_bridge,
    check_bridge_free,
    meeting_valid_until,
    release_stale_reservations,
)
from service.scheduling.revisions import new_uid, record_change, record_series_change
from service.scheduling.schemas import Scope, SessionUpdate

# --- changing ----------------------------------------------------------------------------------


def _affected(db: Session, session: VdoSession, scope: Scope) -> list[VdoSession]:
    """The session alone, or it and the later confirmed occurrences of its series, locked like
    the session (in start order, so that two changes lock in the same order)."""
    if scope == Scope.this or session.series_id is None:
        return [session]
    return list(
        db.exec(
            select(VdoSession)
            .where(
                VdoSession.series_id == session.series_id,
                VdoSession.start_utc >= session.start_utc,
                VdoSession.status == SessionStatus.confirmed,
            )
            .order_by(col(VdoSession.start_utc))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


@dataclass(frozen=True)
class _Move:
    """Where an edit puts a session: its new times and, for an occurrence, its new slot."""

    session: VdoSession
    start: datetime
    end: datetime
    recurrence_id: datetime | None = None

    @property
    def changes_time(self) -> bool:
        return (self.start, self.end) != (self.session.start_utc, self.session.end_utc)

    @property
    def shift(self) -> timedelta:
        """How far the session (or, for an occurrence carried on, its slot) moves."""
        if self.recurrence_id is not None and self.session.recurrence_id is not None:
            return self.recurrence_id - self.session.recurrence_id
        return self.start - self.session.start_utc


@dataclass(frozen=True)
class Rescheduled:
    """What a reschedule changed: the session, and when "this and following" split its series,
    the first occurrence of the series it left, whose rule now ends before it (its invitees'
    calendars must hear of that too, or they keep the old later occurrences beside the new)."""

    session: VdoSession
    left_series_at: VdoSession | None = None


def reschedule(db: Session, session_id: int, data: SessionUpdate, *, now: datetime) -> Rescheduled:
    """Edit a session, or an occurrence and the following ones; time changes raise SEQUENCE.

    "This and following" splits the series at the occurrence (see `_carry_on_from`), so that
    the stored occurrences, the invites' rules and later extensions all agree.
    """
    session = get_session(db, session_id, for_update=True)
    if session.status == SessionStatus.cancelled:
        raise Conflict("A cancelled session cannot be changed; book a new one.")
    _check_revision(session, data.revision)
    bridge = active_bridge(db, session.bridge_id)
    release_stale_reservations(db)
    series = db.get(Series, session.series_id) if session.series_id is not None else None
    if data.scope == Scope.this or series is None:
        start = data.start.astimezone(pytz.UTC) if data.start is not None else session.start_utc
        moves = [_Move(session, start, start + _length(session, data))]
        _check_moves(db, bridge, moves, data, now)
        _apply_moves(db, bridge, moves, data, None)
        return Rescheduled(session)
    rows = _occurrences_from(db, session)
    earlier = _count_earlier(db, session)
    continuation = _continuation(series, session, len(rows), earlier, data)
    moves = _following_moves(session, rows, continuation, data)
    _check_moves(db, bridge, moves, data, now)
    carrying_on = _carry_on_from(db, series, session, continuation, earlier, data)
    _apply_moves(db, bridge, moves, data, carrying_on)
    if carrying_on.id == series.id:
        return Rescheduled(session)
    return Rescheduled(session, left_series_at=_first_occurrence(db, series))


def _first_occurrence(db: Session, series: Series) -> VdoSession | None:
    return db.exec(
        select(VdoSession)
        .where(VdoSession.series_id == series.id)
        .where(VdoSession.status == SessionStatus.confirmed)
        .order_by(col(VdoSession.start_utc))
    ).first()


def _length(session: VdoSession, data: SessionUpdate) -> timedelta:
    if data.duration_minutes:
        return timedelta(minutes=data.duration_minutes)
    return session.end_utc - session.start_utc


def _occurrences_from(db: Session, occurrence: VdoSession) -> list[VdoSession]:
    """The occurrence and every later one of its series, cancelled ones too (their EXDATEs move
    with them), by original start."""
    return list(
        db.exec(
            select(VdoSession)
            .where(
                VdoSession.series_id == occurrence.series_id,
                col(VdoSession.recurrence_id) >= occurrence.recurrence_id,
            )
            .order_by(col(VdoSession.recurrence_id))
            # Locked like the occurrence itself, in one order, so two changes cannot interleave.
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _count_earlier(db: Session, occurrence: VdoSession) -> int:
    """How many occurrences of its series come before `occurrence` (any status)."""
    return db.exec(
        select(func.count())
        .select_from(VdoSession)
        .where(
            VdoSession.series_id == occurrence.series_id,
            col(VdoSession.recurrence_id) < occurrence.recurrence_id,
        )
    ).one()


def _continuation(
    series: Series, occurrence: VdoSession, carried: int, earlier: int, data: SessionUpdate
) -> Continuation:
    """The rule from `occurrence` on (`carried` occurrences stored, `earlier` before it), moved
    to the new start on the organiser's wall clock."""
    assert occurrence.recurrence_id is not None  # noqa: S101 - an occurrence has its original start
    zone = pytz.timezone(series.organiser_zone)
    new_first = data.start or occurrence.recurrence_id
    try:
        return continue_series(
            RecurrenceRule.from_json(series.rule),
            series.organiser_zone,
            occurrence.recurrence_id,
            new_first.astimezone(zone).replace(tzinfo=None),
            carried,
            earlier,
        )
    except ValueError as exc:
        raise invalid_field("start", str(exc)) from None


def _following_moves(
    occurrence: VdoSession,
    rows: Sequence[VdoSession],
    continuation: Continuation,
    data: SessionUpdate,
) -> list[_Move]:
    """Each occurrence onto its new slot; one moved apart from the rule before keeps its offset
    from the slot (unless it is the one given a new start)."""
    moves = []
    for row, slot in zip(rows, continuation.starts, strict=True):
        assert row.recurrence_id is not None  # noqa: S101 - an occurrence has its original start
        offset = row.start_utc - row.recurrence_id
        if row is occurrence and data.start is not None:
            offset = timedelta(0)
        moves.append(_Move(row, slot + offset, slot + offset + _length(row, data), slot))
    return moves


def _check_moves(
    db: Session, bridge: Bridge, moves: Sequence[_Move], data: SessionUpdate, now: datetime
) -> None:
    """Every new time checked before anything changes: not past, people free, bridge free."""
    ids = [move.session.id or 0 for move in moves]
    problems: list[str] = []
    for move in moves:
        if not move.changes_time or move.session.status != SessionStatus.confirmed:
            continue
        check_times(move.start, int((move.end - move.start).total_seconds() // 60), now)
        people = [p.id or 0 for _, p in invitees(db, move.session)]
        invitation = resolve_invitation(
            db,
            people,
            invited_countries(db, move.session),
            move.start,
            move.end,
            ignore_session_ids=ids,
        )
        problems += availability_problems(invitation.participants, move.start, move.end)
        check_bridge_free(db, bridge, move.start, move.end, ignore=ids)
    refuse_unacknowledged(problems, data.acknowledge_problems, "Not changed")


def _carry_on_from(
    db: Session,
    series: Series,
    occurrence: VdoSession,
    continuation: Continuation,
    earlier: int,
    data: SessionUpdate,
) -> Series:
    """The series that carries on from `occurrence`: the series itself when nothing comes
    before it, else a new series with its own UID (RFC 5545 would also allow a RECURRENCE-ID
    range, which few clients understand), the old rule then ending before the occurrence."""
    carried_on: dict[str, Any] = {
        "title": data.title.strip() if data.title is not None else series.title,
        "description": data.description if data.description is not None else series.description,
        "duration_minutes": data.duration_minutes or series.duration_minutes,
        "first_start_local": continuation.first_start_local.isoformat(timespec="minutes"),
        "rule": continuation.rule.to_json(),
        # `extend_series` stores what comes after the last occurrence carried over.
        "horizon_end": continuation.starts[-1],
    }
    if earlier:
        _end_series_before(db, series, occurrence)
        record_series_change(series, schedule_changed=True)
        db.add(series)
        target = Series(
            uid=new_uid(),
            organiser_zone=series.organiser_zone,
            bridge_id=series.bridge_id,
            host_order=series.host_order,
            host_opt_outs=series.host_opt_outs,
            **carried_on,
        )
    else:
        schedule = ("first_start_local", "rule", "duration_minutes")
        changed = any(getattr(series, key) != carried_on[key] for key in schedule)
        target = series.sqlmodel_update(carried_on)
        record_series_change(target, schedule_changed=changed)
    db.add(target)
    db.flush()
    return target


def _apply_moves(
    db: Session,
    bridge: Bridge,
    moves: Sequence[_Move],
    data: SessionUpdate,
    series: Series | None,
) -> None:
    """Move each session, and re-file occurrences under `series` when one carries them on.

    One at a time, each onto a slot the one ahead of it has already left, so that neither the
    database's overlap guard nor the unique (series, RECURRENCE-ID) ever sees the moving
    occurrences clash with themselves halfway through."""
    ordered = sorted(moves, key=lambda move: move.session.start_utc)
    if ordered[0].shift > timedelta(0):
        ordered.reverse()
    try:
        with db.begin_nested():
            for move in ordered:
                target = move.session
                timing_changed = move.changes_time
                target.start_utc, target.end_utc = move.start, move.end
                if timing_changed and target.meeting:
                    target.meeting = meeting_valid_until(bridge, target.meeting, move.end)
                if data.title is not None:
                    target.title = data.title.strip()
                if data.description is not None:
                    target.description = data.description
                schedule_changed = timing_changed
                if series is None:
                    # An occurrence edited apart from its series becomes an override.
                    target.detached = target.series_id is not None
                else:
                    refiled = (series.id, move.recurrence_id)
                    schedule_changed |= refiled != (target.series_id, target.recurrence_id)
                    target.series_id, target.recurrence_id = refiled
                    target.uid = series.uid
                    target.detached = not _as_rule_makes_it(target, series)
                record_change(target, schedule_changed=schedule_changed)
                db.add(target)
                db.flush()
    except IntegrityError:
        raise Conflict(f"Bridge {bridge.name!r} was booked by someone else just now.") from None


def _as_rule_makes_it(occurrence: VdoSession, series: Series) -> bool:
    return (
        occurrence.start_utc == occurrence.recurrence_id
        and occurrence.end_utc - occurrence.start_utc == timedelta(minutes=series.duration_minutes)
        and (occurrence.title, occurrence.description) == (series.title, series.description)
    )


def first_to_come(db: Session, session_id: int, now: datetime) -> VdoSession:
    """The first confirmed occurrence of the session's series that has not started (the session
    itself outside a series): "this and following" from it changes or cancels the whole series
    still to come, while what took place stays on record."""
    session = get_session(db, session_id)
    if session.series_id is None:
        return session
    first = db.exec(
        select(VdoSession)
        .where(
            VdoSession.series_id == session.series_id,
            VdoSession.status == SessionStatus.confirmed,
            VdoSession.start_utc > now,
        )
        .order_by(col(VdoSession.start_utc))
    ).first()
    if first is None:
        raise Conflict("Every session of this series has taken place or is cancelled.")
    return first


def _check_revision(session: VdoSession, sent: int) -> None:
    """Refuse a change made from an older reading of the session (hold its row lock)."""
    if sent != session.revision:
        raise Conflict(
            f"Session {session.id} changed since you read it (revision {session.revision}, "
            f"you sent {sent}); reload and try again.",
            current_revision=session.revision,
        )


def cancel(
    db: Session, session_id: int, scope: Scope, revision: int | None = None
) -> list[VdoSession]:
    """Cancel a session (or it and the following occurrences); frees the bridge. With
    `revision`, only if the session is still as the caller read it."""
    session = get_session(db, session_id, for_update=True)
    if session.status == SessionStatus.cancelled:
        raise Conflict(f"Session {session_id} is already cancelled.")
    if revision is not None:
        _check_revision(session, revision)
    affected = _affected(db, session, scope)
    for target in affected:
        target.status = SessionStatus.cancelled
        record_change(target, schedule_changed=True)
        db.add(target)
    if session.series_id is not None:
        series = db.get(Series, session.series_id)
        assert series is not None  # noqa: S101 - a foreign key
        if scope == Scope.following:
            _end_series_before(db, series, session)
        # The master's EXDATEs (or its UNTIL) changed.
        record_series_change(series, schedule_changed=True)
        db.add(series)
    db.flush()
    return affected


def _end_series_before(db: Session, series: Series, occurrence: VdoSession) -> None:
    """The series stops before `occurrence`: its rule ends at the last earlier occurrence, so
    neither calendar clients nor `extend_series` make later ones again."""
    earlier = db.exec(
        select(VdoSession.recurrence_id)
        .where(VdoSession.series_id == series.id)
        .where(col(VdoSession.recurrence_id) < occurrence.recurrence_id)
        .order_by(col(VdoSession.recurrence_id).desc())
    ).first()
    if earlier is None:
        series.status = SessionStatus.cancelled
        return
    rule = RecurrenceRule.from_json(series.rule)
    series.rule = replace(rule, count=None, until=earlier).to_json()
