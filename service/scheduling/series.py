"""Recurring series: expanded into stored occurrences over a horizon, hosts rotating.

The rule is anchored in the organiser's zone, so a 14:00 Bangkok session stays 14:00 in Bangkok
while it moves in Helsinki across DST. Occurrences that fall on a public holiday of the host or a
participant are booked but flagged, with a suggested next working day; other problems (outside
office hours, a weekend) refuse the series unless acknowledged, as for a single session.

Occurrences that come within the horizon later are stored by `extend_series` (`vdo series
extend`, daily), each checked against the bridge like a booking: one whose bridge is taken is
stored cancelled and flagged with the session holding it, so that invites leave it out (EXDATE),
and reported, never double-booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytz
from sqlmodel import Session, col, select

from service.conferencing.models import Bridge
from service.db import utcnow
from service.directory.service import check_zone
from service.errors import Conflict, DomainError, InvalidInput, invalid_field
from service.scheduling.availability import Availability, Participant
from service.scheduling.hosting import next_hosts, plan_hosts
from service.scheduling.intervals import Interval
from service.scheduling.invitations import (
    Invitation,
    add_invitees,
    check_chair,
    check_times,
    describe,
    resolve_invitation,
    unavailable,
)
from service.scheduling.models import Series, SessionStatus, VdoSession
from service.scheduling.participants import bridge_bookings
from service.scheduling.queries import invited_countries, invitees
from service.scheduling.recurrence import (
    RecurrenceRule,
    check_series_end,
    expand_occurrences,
    suggest_next_working_day,
)
from service.scheduling.reservations import (
    Reservation,
    active_bridge,
    check_bridge_free,
    confirm_reservation,
    insert_session,
    meeting_valid_until,
    release_stale_reservations,
)
from service.scheduling.revisions import new_uid, record_series_change
from service.scheduling.schemas import MAX_INVITEES, SessionCreate

# Occurrences are stored this far ahead; `extend_series` keeps the horizon moving.
HORIZON = timedelta(days=190)


def _problems_and_flags(
    participants: list[Participant], start: datetime, duration: timedelta, zone: str
) -> tuple[list[str], dict[str, Any]]:
    """Hard problems (refuse unless acknowledged) and holiday flags (book, but warn)."""
    blocked = unavailable(participants, start, start + duration)
    problems = [
        f"{start:%Y-%m-%d}: {describe(p, status)}"
        for p, status in blocked
        if status.status != Availability.HOLIDAY
    ]
    if len(problems) == len(blocked):  # nobody is on holiday
        return problems, {}
    suggestion = suggest_next_working_day(start, duration, participants, zone)
    next_start = suggestion.next_start.isoformat() if suggestion.next_start else None
    return problems, {"holidays": list(suggestion.problems), "suggested_start": next_start}


def book_series(
    db: Session,
    data: SessionCreate,
    *,
    now: datetime,
    http: httpx.Client | None = None,
) -> VdoSession:
    """Book every occurrence up to the horizon; returns the first one.

    Commits `db` on the way, like any booking (see `confirm_reservation`)."""
    assert data.recurrence is not None  # noqa: S101 - callers book a series only with a rule
    zone_name = check_zone("organiser_zone", data.organiser_zone)
    zone = pytz.timezone(zone_name)
    try:
        rule = RecurrenceRule.from_json(data.recurrence.model_dump(exclude_none=True))
    except ValueError as exc:
        raise invalid_field("recurrence", str(exc)) from None
    duration = timedelta(minutes=data.duration_minutes)
    first_local = data.start.astimezone(zone).replace(tzinfo=None)
    horizon_end = now + HORIZON
    try:
        check_series_end(rule, first_local, zone_name)
    except ValueError as exc:
        raise invalid_field("recurrence", str(exc)) from None
    try:
        starts = expand_occurrences(rule, first_local, zone_name, horizon_end)
    except ValueError as exc:
        raise invalid_field("start", str(exc)) from None
    if not starts:
        raise invalid_field("recurrence", "the rule gives no occurrence before the horizon")
    check_times(starts[0], data.duration_minutes, now)
    bridge = active_bridge(db, data.bridge_id)
    invitation = resolve_invitation(
        db, data.people, data.countries, starts[0], starts[-1] + duration, max_people=MAX_INVITEES
    )
    check_chair(invitation, data.chair_person_id)
    problems: list[str] = []
    flags = []
    release_stale_reservations(db)
    for start in starts:
        hard, flag = _problems_and_flags(invitation.participants, start, duration, zone_name)
        problems += hard
        flags.append(flag)
        check_bridge_free(db, bridge, start, start + duration)
    if problems and not data.acknowledge_problems:
        raise InvalidInput(
            "Series not booked: "
            + "; ".join(problems[:20])
            + ". Choose another time or send acknowledge_problems: true.",
            problems=problems,
        )
    hosts = plan_hosts(data, invitation, len(starts))
    series = Series(
        uid=new_uid(),
        title=data.title.strip(),
        description=data.description,
        organiser_zone=zone_name,
        first_start_local=first_local.isoformat(timespec="minutes"),
        duration_minutes=data.duration_minutes,
        rule=rule.to_json(),
        bridge_id=bridge.id or 0,
        host_order=hosts.order,
        host_opt_outs=hosts.opt_outs,
        horizon_end=horizon_end,
        status=SessionStatus.pending,
    )
    db.add(series)
    db.flush()
    occurrences = []
    for start, flag, host in zip(starts, flags, hosts.hosts, strict=True):
        occurrence = _occurrence(series, start, host, {}, flag)
        occurrence.status = SessionStatus.pending
        occurrence.acknowledged = problems
        insert_session(db, occurrence, bridge)
        occurrences.append(occurrence)
    for occurrence in occurrences:
        add_invitees(db, occurrence, invitation, data.chair_person_id)
    # One room for the whole series, made once the occurrences hold their slots.
    reservation = Reservation(bridge, occurrences, series)
    confirm_reservation(db, reservation, data.title, starts[0], starts[-1] + duration, http)
    return occurrences[0]


def _occurrence(
    series: Series,
    start: datetime,
    host: str | None,
    meeting: dict[str, Any],
    flags: dict[str, Any],
) -> VdoSession:
    """One stored occurrence: the series' UID, RECURRENCE-ID = its original start."""
    return VdoSession(
        uid=series.uid,
        title=series.title,
        description=series.description,
        start_utc=start,
        end_utc=start + timedelta(minutes=series.duration_minutes),
        organiser_zone=series.organiser_zone,
        bridge_id=series.bridge_id,
        chair_country=host,
        series_id=series.id,
        recurrence_id=start,
        meeting=meeting,
        flags=flags,
    )


def series_occurrences(db: Session, series_id: int) -> list[VdoSession]:
    return list(
        db.exec(
            select(VdoSession)
            .where(VdoSession.series_id == series_id)
            .order_by(col(VdoSession.recurrence_id))
        )
    )


def _invitation_like(
    db: Session, template: VdoSession, start: datetime, end: datetime
) -> Invitation:
    people = [person.id or 0 for _, person in invitees(db, template)]
    return resolve_invitation(db, people, invited_countries(db, template), start, end)


@dataclass(frozen=True)
class SkippedOccurrence:
    """An occurrence `extend_series` stored cancelled because its bridge was taken."""

    series_id: int
    series_title: str
    start: datetime
    taken_by: str  # the title of the session holding the bridge


@dataclass(frozen=True)
class SeriesFailure:
    """A series `extend_series` left as it was because its stored data cannot be used."""

    series_id: int
    series_title: str
    reason: str


@dataclass
class ExtensionReport:
    added: int = 0  # occurrences booked
    skipped: list[SkippedOccurrence] = field(default_factory=list)
    failed: list[SeriesFailure] = field(default_factory=list)


# What bad stored data (a rule, zone, host list or meeting as no booking would store it today)
# raises; anything else (the database going away) still ends the run.
_BAD_DATA = (DomainError, ValueError, LookupError, TypeError, ArithmeticError)


def extend_series(db: Session, *, now: datetime) -> ExtensionReport:
    """Store the occurrences that came within the horizon since each series was last extended.

    Each series in its own savepoint: one that cannot be extended is reported and left as it
    was, and the others are extended all the same.
    """
    horizon_end = now + HORIZON
    report = ExtensionReport()
    due = db.exec(
        select(Series)
        .where(Series.status == SessionStatus.confirmed, Series.horizon_end < horizon_end)
        .order_by(col(Series.id))
    ).all()
    for series in due:
        series_id, title = series.id or 0, series.title
        try:
            with db.begin_nested():
                added, skipped = _extend(db, series, horizon_end)
        except _BAD_DATA as exc:
            reason = exc.detail if isinstance(exc, DomainError) else str(exc)
            report.failed.append(SeriesFailure(series_id, title, reason or type(exc).__name__))
            continue
        report.added += added
        report.skipped += skipped
    db.flush()
    return report


def _extend(
    db: Session, series: Series, horizon_end: datetime
) -> tuple[int, list[SkippedOccurrence]]:
    existing = series_occurrences(db, series.id or 0)
    if not existing:
        return 0, []
    known = {o.recurrence_id for o in existing}
    duration = timedelta(minutes=series.duration_minutes)
    new_starts = [
        start
        for start in expand_occurrences(
            RecurrenceRule.from_json(series.rule),
            datetime.fromisoformat(series.first_start_local),
            series.organiser_zone,
            horizon_end,
        )
        if start not in known and start > series.horizon_end
    ]
    template = existing[-1]
    bridge = active_bridge(db, series.bridge_id)
    meeting = template.meeting
    if new_starts:
        # One token for this step, still valid when its last occurrence ends.
        meeting = meeting_valid_until(bridge, meeting, new_starts[-1] + duration)
    if meeting != template.meeting:
        series.updated_at = utcnow()  # the master's joining details changed
    hosts = _next_hosts(db, series, existing, len(new_starts))
    booked, skipped = 0, []
    for start in new_starts:
        invitation = _invitation_like(db, template, start, start + duration)
        occurrence = _book_occurrence(db, series, bridge, start, meeting, hosts[booked], invitation)
        if occurrence.status == SessionStatus.cancelled:
            clash = occurrence.flags["bridge_clash"]["title"]
            skipped.append(SkippedOccurrence(series.id or 0, series.title, start, clash))
        else:
            booked += 1
        add_invitees(db, occurrence, invitation, None)
    if skipped:
        record_series_change(series, schedule_changed=True)  # the master gained EXDATEs
    series.horizon_end = horizon_end
    db.add(series)
    db.flush()
    return booked, skipped


def _next_hosts(
    db: Session, series: Series, existing: list[VdoSession], count: int
) -> list[str | None]:
    """Hosts for the next `count` booked occurrences, after the last one that had a host (an
    occurrence skipped for a taken bridge had none, and used up nobody's turn)."""
    last_hosted = next((o for o in reversed(existing) if o.chair_country), None)
    if last_hosted is None:
        return [None] * count
    return next_hosts(db, series, last_hosted, count)


def _book_occurrence(
    db: Session,
    series: Series,
    bridge: Bridge,
    start: datetime,
    meeting: dict[str, Any],
    host: str | None,
    invitation: Invitation,
) -> VdoSession:
    """The occurrence booked, or stored cancelled with the clash when the bridge is taken (with
    no host: it uses up nobody's turn)."""
    duration = timedelta(minutes=series.duration_minutes)
    end = start + duration
    clash = _bridge_clash(db, bridge, start, end)
    if clash is None:
        _, flags = _problems_and_flags(
            invitation.participants, start, duration, series.organiser_zone
        )
        occurrence = _occurrence(series, start, host, meeting, flags)
        try:
            insert_session(db, occurrence, bridge)
            return occurrence
        except Conflict:  # booked by someone else since the check
            clash = _bridge_clash(db, bridge, start, end)
            if clash is None:
                raise
    taken = {"title": clash.reason, "start": clash.start.isoformat(), "end": clash.end.isoformat()}
    occurrence = _occurrence(series, start, None, meeting, {"bridge_clash": taken})
    occurrence.status = SessionStatus.cancelled
    db.add(occurrence)
    db.flush()
    return occurrence


def _bridge_clash(db: Session, bridge: Bridge, start: datetime, end: datetime) -> Interval | None:
    """The first confirmed session holding the bridge during [start, end), if any."""
    return next(iter(bridge_bookings(db, bridge.id or 0, start, end)), None)
