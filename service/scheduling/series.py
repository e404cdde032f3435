"""Recurring series: expanded into stored occurrences over a horizon, hosts rotating.

The rule is anchored in the organiser's zone, so a 14:00 Bangkok session stays 14:00 in Bangkok
while it moves in Helsinki across DST. Occurrences that fall on a public holiday of the host or a
participant are booked but flagged, with a suggested next working day; other problems (outside
office hours, a weekend) refuse the series unless acknowledged, as for a single session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytz
from sqlmodel import Session, col, select

from service.db import utcnow
from service.directory.service import check_zone
from service.errors import InvalidInput, invalid_field
from service.scheduling.availability import Availability, Participant
from service.scheduling.hosting import next_hosts, plan_hosts
from service.scheduling.models import Series, SessionStatus, VdoSession
from service.scheduling.recurrence import (
    RecurrenceRule,
    expand_occurrences,
    suggest_next_working_day,
)
from service.scheduling.schemas import SessionCreate
from service.scheduling.service import (
    Invitation,
    active_bridge,
    add_invitees,
    check_bridge_free,
    check_chair,
    check_times,
    create_meeting,
    describe,
    end_meeting_quietly,
    insert_session,
    invited_countries,
    invitees,
    new_uid,
    resolve_invitation,
    unavailable,
)

# Occurrences are stored this far ahead; `extend_series` keeps the horizon moving.
HORIZON = timedelta(days=190)


def _problems_and_flags(
    participants: list[Participant], start: datetime, duration: timedelta, zone: str
) -> tuple[list[str], dict]:
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
    http: httpx.Client | None = None,
    now: datetime | None = None,
) -> VdoSession:
    """Book every occurrence up to the horizon; returns the first one."""
    assert data.recurrence is not None
    now = now or utcnow()
    zone = pytz.timezone(check_zone("organiser_zone", data.organiser_zone))
    try:
        rule = RecurrenceRule.from_json(data.recurrence.model_dump(exclude_none=True))
    except ValueError as exc:
        raise invalid_field("recurrence", str(exc)) from None
    duration = timedelta(minutes=data.duration_minutes)
    first_local = data.start.astimezone(zone).replace(tzinfo=None)
    horizon_end = now + HORIZON
    starts = expand_occurrences(rule, first_local, zone.zone, horizon_end)
    if not starts:
        raise invalid_field("recurrence", "the rule gives no occurrence before the horizon")
    check_times(starts[0], data.duration_minutes, now)
    bridge = active_bridge(db, data.bridge_id)
    invitation = resolve_invitation(
        db, data.people, data.countries, starts[0], starts[-1] + duration
    )
    check_chair(invitation, data.chair_person_id)
    problems: list[str] = []
    flags = []
    for start in starts:
        hard, flag = _problems_and_flags(invitation.participants, start, duration, zone.zone)
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
    meeting = create_meeting(bridge, data.title, starts[0], starts[-1] + duration, http)
    series = Series(
        uid=new_uid(),
        title=data.title.strip(),
        description=data.description,
        organiser_zone=zone.zone,
        first_start_local=first_local.isoformat(timespec="minutes"),
        duration_minutes=data.duration_minutes,
        rule=rule.to_json(),
        bridge_id=bridge.id or 0,
        host_order=hosts.order,
        host_opt_outs=hosts.opt_outs,
        horizon_end=horizon_end,
    )
    db.add(series)
    db.flush()
    occurrences = []
    try:
        for start, flag, host in zip(starts, flags, hosts.hosts, strict=True):
            occurrence = _occurrence(series, start, host, meeting.to_json(), flag)
            occurrence.acknowledged = problems
            insert_session(db, occurrence, bridge)
            occurrences.append(occurrence)
    except Exception:
        end_meeting_quietly(bridge, meeting, http)
        raise
    for occurrence in occurrences:
        add_invitees(db, occurrence, invitation, data.chair_person_id)
    return occurrences[0]


def _occurrence(
    series: Series, start: datetime, host: str | None, meeting: dict, flags: dict
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


def extend_series(db: Session, *, now: datetime | None = None) -> int:
    """Store the occurrences that came within the horizon since the series was booked."""
    now = now or utcnow()
    horizon_end = now + HORIZON
    added = 0
    for series in db.exec(
        select(Series).where(
            Series.status == SessionStatus.confirmed, Series.horizon_end < horizon_end
        )
    ):
        existing = series_occurrences(db, series.id or 0)
        if not existing:
            continue
        zone = pytz.timezone(series.organiser_zone)
        rule = RecurrenceRule.from_json(series.rule)
        first_local = datetime.fromisoformat(series.first_start_local)
        known = {o.recurrence_id for o in existing}
        duration = timedelta(minutes=series.duration_minutes)
        new_starts = [
            s
            for s in expand_occurrences(rule, first_local, zone.zone, horizon_end)
            if s not in known and s > series.horizon_end
        ]
        template = existing[-1]
        bridge = active_bridge(db, series.bridge_id)
        hosts = next_hosts(db, series, template, len(new_starts))
        for start, host in zip(new_starts, hosts, strict=True):
            invitation = _invitation_like(db, template, start, start + duration)
            _, flag = _problems_and_flags(invitation.participants, start, duration, zone.zone)
            occurrence = _occurrence(series, start, host, template.meeting, flag)
            insert_session(db, occurrence, bridge)
            add_invitees(db, occurrence, invitation, None)
            added += 1
        series.horizon_end = horizon_end
        db.add(series)
    db.flush()
    return added
