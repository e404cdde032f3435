"""Previewing and issuing circulars: the database adapter around the pure renderers.

The stored, issued circular is the public-safe version: it never carries joining details (join
link, passcode, dial-in PINs), since any reader of a public circular, or a delegation forwarding
it, would get them. Copies with joining details are rendered for the recipients who may see them
(`service.scheduling.disclosure`), from the same `Circular` value with `joining` set.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import pytz
from sqlmodel import Session, col, select

from service.circulars import models
from service.circulars.documents import (
    SECRETARIAT_BODY,
    Circular,
    CircularKind,
    CircularNumber,
    IssuingBody,
    ZoneTime,
)
from service.circulars.models import CircularDocument, DocumentFormat
from service.circulars.numbering import take_number
from service.circulars.render import RenderedCircular, render_all
from service.circulars.schemas import CircularRequest
from service.delivery.circulars import enqueue_circular
from service.directory.models import Country
from service.errors import Conflict, invalid_field
from service.minutes.operations import mark_notice_issued
from service.minutes.queries import agenda_outline, minutes_record
from service.minutes.records import ActionStatus, MinutesStatus
from service.queries import get_or_404
from service.scheduling import queries as sessions
from service.scheduling.models import SessionStatus, VdoSession
from service.settings import Settings

Renderer = Callable[[Circular], RenderedCircular]


def _zone_times(db: Session, session: VdoSession) -> tuple[ZoneTime, ...]:
    """The session's start and end in every zone its invited people and countries are in."""
    session_id = session.id or 0
    invitees = sessions.invitees_of(db, [session_id])[session_id]
    codes = sessions.countries_of(db, [session_id])[session_id]
    countries = {
        c.code: c
        for c in db.exec(
            select(Country).where(
                col(Country.code).in_(set(codes) | {p.country_code for _, p in invitees})
            )
        )
    }
    who: dict[str, set[str]] = defaultdict(set)
    for _, person in invitees:
        who[person.zone].add(countries[person.country_code].name)
    for code in codes:
        who[countries[code].capital_zone].add(countries[code].name)
    who.setdefault(session.organiser_zone, set())
    rows = []
    for zone, names in who.items():
        tz = pytz.timezone(zone)
        start, end = session.start_utc.astimezone(tz), session.end_utc.astimezone(tz)
        rows.append(ZoneTime(zone, ", ".join(sorted(names)), start, end))
    return tuple(sorted(rows, key=lambda row: (row.start.utcoffset(), row.zone)))


def build_circular(
    db: Session,
    session_id: int,
    request: CircularRequest,
    now: datetime,
    body: IssuingBody = SECRETARIAT_BODY,
) -> Circular:
    """The unnumbered circular `request` asks for, from what is stored now.

    A minutes circular needs adopted minutes (409 otherwise); a correction must correct an
    earlier circular of the same session."""
    session = get_or_404(db, VdoSession, session_id, "session")
    minutes = minutes_record(db, session_id)
    if request.kind == CircularKind.minutes and (
        minutes is None or minutes.status != MinutesStatus.adopted
    ):
        raise Conflict("The minutes are not adopted: only adopted minutes go out as a circular.")
    corrects = None
    if request.corrects is not None:
        earlier = db.get(models.Circular, request.corrects)
        if earlier is None or earlier.session_id != session_id:
            raise invalid_field("corrects", "no circular of this session has that id")
        corrects = earlier.reference
    open_actions = tuple(
        action
        for item in (minutes.items if minutes else ())
        for action in item.actions
        if action.status == ActionStatus.open
    )
    return Circular(
        kind=request.kind,
        language=request.language,
        body=body,
        issued_on=now.astimezone(pytz.timezone(body.zone)).date(),
        number=None,
        session_title=session.title,
        organiser_zone=session.organiser_zone,
        zone_times=_zone_times(db, session),
        agenda=tuple(agenda_outline(db, session_id)),
        minutes=minutes if request.kind == CircularKind.minutes else None,
        actions=open_actions if request.kind == CircularKind.reminder else (),
        cancelled=session.status == SessionStatus.cancelled,
        message=request.message,
        corrects=corrects,
    )


@dataclass(frozen=True)
class Issued:
    """An issued circular: its stored row, the value it was rendered from, and the bytes."""

    row: models.Circular
    circular: Circular
    rendered: RenderedCircular


def record(
    db: Session,
    session_id: int,
    request: CircularRequest,
    *,
    issued_by: int,
    now: datetime,
    renderer: Renderer = render_all,
) -> Issued:
    """Number, render and store a circular, in the caller's transaction, and send nothing: the
    record of an issue (`issue` also emails it; the demo records its past meeting's circulars).

    The number is taken last, just before rendering (which prints it), to hold the counter's
    lock for as short a time as the number allows; no network call happens here."""
    circular = build_circular(db, session_id, request, now)
    year = circular.issued_on.year
    number = CircularNumber(circular.body.code, year, take_number(db, circular.body.code, year))
    circular = replace(circular, number=number)
    rendered = renderer(circular)
    row = models.Circular(
        session_id=session_id,
        kind=circular.kind.value,
        language=circular.language.value,
        body=number.body,
        year=number.year,
        sequence=number.sequence,
        reference=number.reference,
        title=circular.title,
        public=request.public,
        corrects_id=request.corrects,
        issued_at=now,
        issued_by=issued_by,
    )
    db.add(row)
    db.flush()
    for fmt, content in (
        (DocumentFormat.html, rendered.html),
        (DocumentFormat.txt, rendered.text),
        (DocumentFormat.pdf, rendered.pdf),
        (DocumentFormat.docx, rendered.docx),
    ):
        db.add(
            CircularDocument(
                circular_id=row.id or 0,
                format=fmt.value,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    if circular.kind == CircularKind.notice:
        mark_notice_issued(db, session_id, now)
    db.flush()
    return Issued(row, circular, rendered)


def issue(
    db: Session,
    session_id: int,
    request: CircularRequest,
    *,
    issued_by: int,
    now: datetime,
    settings: Settings,
    renderer: Renderer = render_all,
) -> models.Circular:
    """Issue a circular and queue its emails to the session's invitees, in the caller's
    transaction (both commit or neither)."""
    issued = record(db, session_id, request, issued_by=issued_by, now=now, renderer=renderer)
    enqueue_circular(db, settings, issued.row, issued.circular, issued.rendered)
    return issued.row
