"""`vdo demo`: the ASEAN Pubs demo network, loaded idempotently (re-running adds nothing twice).

The network is data, `demo_data.toml` beside this module. Each entry is read with the request
schema the JSON API uses for it and handed to the service function the API calls, so the demo
passes the same validation as anything staff enter, and a bad entry is refused naming its place
in the file (e.g. `agencies[2].zone`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pytz
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth import service as auth
from service.auth.models import ApiToken, Role, User
from service.calendars import service as calendars
from service.calendars.models import CalendarEntry
from service.calendars.schemas import EntryCreate
from service.circulars import operations as circular_ops
from service.circulars.documents import CircularKind
from service.circulars.schemas import CircularRequest
from service.conferencing import service as conferencing
from service.conferencing.models import Bridge
from service.conferencing.schemas import BridgeWrite
from service.db import utcnow
from service.directory import service as directory
from service.directory.models import Agency, Country, Language, Person
from service.directory.schemas import AgencyWrite, CountryCreate, PersonWrite
from service.errors import DomainError, InvalidInput, field_error, invalid_field
from service.minutes import operations as minutes_ops
from service.minutes.records import ActionStatus, Attendance
from service.minutes.schemas import ActionIn, AttendanceIn, MinutesItemIn, MinutesSave
from service.news import operations as news
from service.news.models import NewsPost
from service.news.schemas import PostCreate
from service.scheduling import booking, planner_service
from service.scheduling import queries as sessions
from service.scheduling.disclosure import SECRETARIAT
from service.scheduling.models import VdoSession
from service.scheduling.recurrence import WEEKDAY_CODES
from service.scheduling.schemas import SessionCreate

DEMO_DATA_FILE = "demo_data.toml"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - the demo users' published password
TOKEN_LABEL = "demo"  # noqa: S105 - a label, not a secret
FORBID_UNKNOWN_KEYS = ConfigDict(extra="forbid")


# --- the file's form: the API's request schemas, with references by name -----------------------


class DemoCountry(CountryCreate):
    model_config = FORBID_UNKNOWN_KEYS


class DemoPerson(PersonWrite):
    """A person of the agency they are listed under (which sets `agency_id`)."""

    model_config = FORBID_UNKNOWN_KEYS


class DemoAgency(AgencyWrite):
    model_config = FORBID_UNKNOWN_KEYS

    people: list[DemoPerson] = Field(default_factory=list)


class DemoBridge(BridgeWrite):
    model_config = FORBID_UNKNOWN_KEYS


class DemoCalendarEntry(EntryCreate):
    """An announced exception of a country's official calendar (`POST .../calendar`)."""

    country: str = Field(min_length=2, max_length=2)


class _Strict(BaseModel):
    model_config = FORBID_UNKNOWN_KEYS


class DemoUser(_Strict):
    """An account (as `vdo user create` makes it); every demo user signs in with DEMO_PASSWORD."""

    email: str
    name: str
    role: Role
    person: str | None = Field(default=None, description="Email of the person it belongs to")


class StartByPlanner(_Strict):
    """The planner's best slot for the session's invitees, searched from `days_ahead` on."""

    days_ahead: int = Field(ge=0, le=365)
    window_days: int = Field(ge=1, le=planner_service.MAX_WINDOW_DAYS)
    step_minutes: int = Field(default=30, ge=5, le=240)


class StartOnWeekday(_Strict):
    """That weekday, at least so many days ahead, at a wall-clock time of the organiser's zone."""

    day: Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    at_least_days_ahead: int = Field(ge=0, le=365)
    local_time: time


class StartAfter(_Strict):
    """So many days after an earlier session of the file (by title)."""

    session: str
    days: int = Field(ge=0, le=365)


class Held(_Strict):
    """A meeting already held, so many days ago, at a wall-clock time of the organiser's zone.

    Booking refuses a past start, so the session is booked on a clock set back to
    `BOOKED_AHEAD` before it; its minutes and circulars are recorded at their own past times
    (see `_record_meeting`), which all lie before the day the demo is loaded."""

    days_ago: int = Field(ge=14, le=365)
    local_time: time


StartRule = StartByPlanner | StartOnWeekday | StartAfter | Held
START_KEYS = ("start_by_planner", "start_on_weekday", "start_after", "held")


class DemoAction(_Strict):
    """An action item, due so many days from the day the demo is loaded (negative: overdue)."""

    text: str
    owner_country: str | None = None
    owner: str | None = Field(default=None, description="Email of the owning person")
    due_in_days: int = Field(ge=-365, le=365)
    status: ActionStatus = ActionStatus.open


class DemoMinutesItem(_Strict):
    number: str
    title: str
    summary: str = ""
    decisions: list[str] = Field(default_factory=list)
    actions: list[DemoAction] = Field(default_factory=list)


class DemoMinutes(_Strict):
    """The held meeting's minutes, adopted; every invitee is recorded present."""

    items: list[DemoMinutesItem]
    free_text: str = ""


class DemoSession(BaseModel):
    """A booking request (`SessionCreate`'s keys) with a relative start and references by name."""

    model_config = ConfigDict(extra="allow")

    title: str
    organiser_zone: str
    duration_minutes: int
    bridge: str = Field(description="The bridge's name")
    countries: list[str] | Literal["members"] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list, description="Emails")
    start_by_planner: StartByPlanner | None = None
    start_on_weekday: StartOnWeekday | None = None
    start_after: StartAfter | None = None
    held: Held | None = None
    minutes: DemoMinutes | None = Field(default=None, description="Only for a held meeting")
    circulars: list[Literal["notice", "minutes"]] = Field(
        default_factory=list, description="Issued in English and in Thai; a held meeting's"
    )

    @model_validator(mode="before")
    @classmethod
    def only_booking_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            replaced = {"start", "bridge_id"}  # by the start rule and `bridge`
            known = set(cls.model_fields) | (set(SessionCreate.model_fields) - replaced)
            unknown = sorted(set(data) - known)
            if unknown:
                raise ValueError(f"unknown key(s) {', '.join(map(str, unknown))}")
            if sum(data.get(key) is not None for key in START_KEYS) != 1:
                raise ValueError(f"give exactly one of {', '.join(START_KEYS)}")
            if data.get("held") is None and (data.get("minutes") or data.get("circulars")):
                raise ValueError("minutes and circulars belong to a held meeting")
        return data

    @property
    def start_rule(self) -> StartRule:
        rule = self.start_by_planner or self.start_on_weekday or self.start_after or self.held
        assert rule is not None  # noqa: S101 - checked when read
        return rule


class DemoData(BaseModel):
    model_config = FORBID_UNKNOWN_KEYS

    countries: list[DemoCountry] = Field(default_factory=list)
    agencies: list[DemoAgency] = Field(default_factory=list)
    bridges: list[DemoBridge] = Field(default_factory=list)
    calendar: list[DemoCalendarEntry] = Field(default_factory=list)
    users: list[DemoUser] = Field(default_factory=list)
    sessions: list[DemoSession] = Field(default_factory=list)
    news: list[PostCreate] = Field(default_factory=list)


# --- reading and errors --------------------------------------------------------------------------


def _location(parts: Sequence[int | str]) -> str:
    """A place in the file as people write it: ("agencies", 2, "zone") -> "agencies[2].zone"."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _refusal(exc: ValidationError, where: str = "") -> InvalidInput:
    errors = [
        field_error(
            _location([*([where] if where else []), *error["loc"]]) or "demo data", error["msg"]
        )
        for error in exc.errors()
    ]
    return InvalidInput(
        "The demo data is not valid: " + "; ".join(f"{e['field']}: {e['reason']}" for e in errors),
        errors=errors,
    )


@contextmanager
def _entry(where: str) -> Iterator[None]:
    """Refusals raised inside name the entry of the file they concern."""
    try:
        yield
    except ValidationError as exc:
        raise _refusal(exc, where) from None
    except DomainError as exc:
        errors = [
            {**error, "field": f"{where}.{error['field']}"} if "field" in error else error
            for error in exc.errors
        ] or [field_error(where, exc.detail)]
        raise type(exc)(f"{where}: {exc.detail}", errors=errors, **exc.extra) from None


def read_demo_data(path: Path | None = None) -> DemoData:
    """The demo network from `path`, by default the file shipped in the package."""
    source = path or resources.files("service").joinpath(DEMO_DATA_FILE)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML ({exc}).") from None
    try:
        return DemoData.model_validate(raw)
    except ValidationError as exc:
        raise _refusal(exc) from None


# --- loading -------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    created: dict[str, int]
    tokens: dict[str, str]


def load_demo(db: Session, data: DemoData | None = None, *, now: datetime) -> DemoResult:
    data = data or read_demo_data()
    created = {"countries": directory.seed_member_countries(db)}
    created["countries"] += _load_countries(db, data.countries)
    created["agencies"] = _load_agencies(db, data.agencies)
    created["people"] = _load_people(db, data.agencies)
    created["bridges"] = _load_bridges(db, data.bridges)
    created["calendar entries"] = _load_calendar(db, data.calendar)
    created["users"], tokens = _load_users(db, data.users)
    created["sessions"], created["circulars"] = _load_sessions(db, data.sessions, now)
    created["news posts"] = _load_news(db, data.news, now)
    return DemoResult(created=created, tokens=tokens)


def _names(db: Session, model: type[Agency] | type[Bridge]) -> set[str]:
    """Names already taken, compared as the services compare them (whatever the case)."""
    return {name.lower() for name in db.exec(select(model.name))}


def _load_countries(db: Session, countries: list[DemoCountry]) -> int:
    added = 0
    for index, country in enumerate(countries):
        if db.get(Country, country.code.upper()) is None:
            with _entry(f"countries[{index}]"):
                directory.create_country(db, country)
            added += 1
    return added


def _load_agencies(db: Session, agencies: list[DemoAgency]) -> int:
    existing = _names(db, Agency)
    added = 0
    for index, agency in enumerate(agencies):
        if agency.name.strip().lower() not in existing:
            with _entry(f"agencies[{index}]"):
                directory.create_agency(db, agency)
            added += 1
    return added


def _load_people(db: Session, agencies: list[DemoAgency]) -> int:
    """After every agency, so that ids follow the file's order as they always have."""
    agency_ids = {a.name.lower(): a.id for a in db.exec(select(Agency))}
    existing = set(db.exec(select(Person.email)))
    added = 0
    for index, agency in enumerate(agencies):
        agency_id = agency_ids[agency.name.strip().lower()]
        for number, person in enumerate(agency.people):
            if person.email.strip().lower() not in existing:
                with _entry(f"agencies[{index}].people[{number}]"):
                    directory.create_person(db, person.model_copy(update={"agency_id": agency_id}))
                added += 1
    return added


def _load_bridges(db: Session, bridges: list[DemoBridge]) -> int:
    existing = _names(db, Bridge)
    added = 0
    for index, bridge in enumerate(bridges):
        if bridge.name.strip().lower() not in existing:
            with _entry(f"bridges[{index}]"):
                conferencing.create_bridge(db, bridge)
            added += 1
    return added


def _load_calendar(db: Session, entries: list[DemoCalendarEntry]) -> int:
    """Before any session: the planner and the booking checks apply the entries."""
    existing = {
        (e.country_code, e.kind, e.first_day, e.name) for e in db.exec(select(CalendarEntry))
    }
    added = 0
    for index, entry in enumerate(entries):
        if (entry.country.upper(), entry.kind, entry.first_day, entry.name) not in existing:
            with _entry(f"calendar[{index}]"):
                request = EntryCreate.model_validate(entry.model_dump(exclude={"country"}))
                calendars.add_entry(db, entry.country, request, recorded_by="vdo demo")
            added += 1
    return added


def _person_ids(db: Session, emails: Sequence[str], field: str) -> list[int]:
    wanted = [email.strip().lower() for email in emails]
    found = {
        p.email: p.id or 0 for p in db.exec(select(Person).where(col(Person.email).in_(wanted)))
    }
    unknown = [email for email in wanted if email not in found]
    if unknown:
        raise invalid_field(field, f"no person with email {', '.join(unknown)}")
    return [found[email] for email in wanted]


def _load_users(db: Session, users: list[DemoUser]) -> tuple[int, dict[str, str]]:
    added = 0
    tokens = {}
    for index, demo_user in enumerate(users):
        with _entry(f"users[{index}]"):
            email = demo_user.email.strip().lower()
            user = db.exec(select(User).where(func.lower(User.email) == email)).first()
            if user is None:
                person = [demo_user.person] if demo_user.person else []
                person_ids = _person_ids(db, person, "person")
                user = auth.create_user(
                    db,
                    email=email,
                    name=demo_user.name,
                    role=demo_user.role,
                    password=DEMO_PASSWORD,
                    person_id=person_ids[0] if person_ids else None,
                )
                added += 1
        # Re-running the demo hands out a fresh token and retires the previous demo one.
        for old in db.exec(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.label == TOKEN_LABEL)
        ):
            old.revoked_at = old.revoked_at or utcnow()
            db.add(old)
        _, tokens[str(user.role)] = auth.issue_token(db, user, TOKEN_LABEL)
    return added, tokens


def _load_sessions(db: Session, demo_sessions: list[DemoSession], now: datetime) -> tuple[int, int]:
    """(sessions, circulars) added."""
    if db.exec(select(func.count()).select_from(VdoSession)).one():
        return 0, 0
    booked: dict[str, VdoSession] = {}
    circulars = 0
    for index, demo_session in enumerate(demo_sessions):
        with _entry(f"sessions[{index}]"):
            request = _booking_request(db, demo_session, booked, now)
            booked_at = request.start - BOOKED_AHEAD if demo_session.held else now
            session = booked[request.title] = booking.book(db, request, now=booked_at)
            circulars += _record_meeting(db, session, demo_session, now)
    return len(booked), circulars


# A held meeting's story, relative to its start: booked, notice issued, minutes saved and
# circulated the day after, adopted at the deadline, issued the day after that.
BOOKED_AHEAD = timedelta(days=14)
NOTICE_AHEAD = timedelta(days=10)
MINUTES_AFTER = timedelta(days=1)
COMMENT_PERIOD = timedelta(days=7)
LANGUAGES = (Language.en, Language.th)


def _record_meeting(db: Session, session: VdoSession, demo: DemoSession, now: datetime) -> int:
    """The held meeting's notice, adopted minutes and circulars, each at its time in the past;
    returns how many circulars were issued. Recorded, not emailed: the meeting is history."""
    if demo.held is None:
        return 0
    staff = db.exec(
        select(User.id).where(col(User.role) != Role.delegate).order_by(col(User.id))
    ).first()
    if staff is None:
        raise invalid_field("held", "a held meeting needs a staff user in [[users]]")
    session_id, start = session.id or 0, session.start_utc
    issued = 0
    if "notice" in demo.circulars:
        issued += _issue_both(db, session_id, CircularKind.notice, staff, start - NOTICE_AHEAD)
    if demo.minutes is None:
        if "minutes" in demo.circulars:
            raise invalid_field("circulars", "a minutes circular needs the meeting's minutes")
        return issued
    written = start + MINUTES_AFTER
    deadline = written + COMMENT_PERIOD
    minutes_ops.save_minutes(
        db, session_id, _minutes_save(db, session, demo.minutes, now), staff, written
    )
    minutes_ops.circulate(db, session_id, deadline, written)
    minutes_ops.adopt(db, session_id, staff, deadline)
    if "minutes" in demo.circulars:
        issued += _issue_both(db, session_id, CircularKind.minutes, staff, deadline + MINUTES_AFTER)
    return issued


def _issue_both(db: Session, session_id: int, kind: CircularKind, staff: int, at: datetime) -> int:
    for language in LANGUAGES:
        request = CircularRequest(kind=kind, language=language)
        circular_ops.record(db, session_id, request, issued_by=staff, now=at)
    return len(LANGUAGES)


def _minutes_save(
    db: Session, session: VdoSession, minutes: DemoMinutes, now: datetime
) -> MinutesSave:
    """The minutes as `PUT /sessions/{id}/minutes` takes them, every invitee present; due
    dates count from the day the demo is loaded."""
    today = now.date()
    items = []
    for number, item in enumerate(minutes.items):
        actions = []
        for index, action in enumerate(item.actions):
            where = f"minutes.items[{number}].actions[{index}].owner"
            owner = _person_ids(db, [action.owner], where)[0] if action.owner else None
            actions.append(
                ActionIn(
                    text=action.text,
                    owner_person_id=owner,
                    owner_country=action.owner_country,
                    due=today + timedelta(days=action.due_in_days),
                    status=action.status,
                )
            )
        items.append(MinutesItemIn(**item.model_dump(exclude={"actions"}), actions=actions))
    attendance = [
        AttendanceIn(person_id=person.id or 0, status=Attendance.present)
        for _, person in sessions.invitees(db, session)
    ]
    return MinutesSave(
        base_revision=0, items=items, attendance=attendance, free_text=minutes.free_text
    )


def _load_news(db: Session, posts: list[PostCreate], now: datetime) -> int:
    """The public site's first posts, once: none is added while any post exists."""
    if db.exec(select(func.count()).select_from(NewsPost)).one():
        return 0
    for index, post in enumerate(posts):
        with _entry(f"news[{index}]"):
            news.create_post(db, post, None, now)
    return len(posts)


def _booking_request(
    db: Session, demo: DemoSession, booked: Mapping[str, VdoSession], now: datetime
) -> SessionCreate:
    """The `POST /api/v1/sessions` body the entry stands for, on the clock `now`."""
    if demo.countries == "members":
        query = select(Country.code).where(Country.is_member).order_by(col(Country.name))
        countries = list(db.exec(query))
    else:
        countries = demo.countries
    people = _person_ids(db, demo.people, "people")
    bridge = db.exec(select(Bridge).where(Bridge.name == demo.bridge)).first()
    if bridge is None:
        raise invalid_field("bridge", f"no bridge named {demo.bridge!r}")
    request = {
        **(demo.model_extra or {}),
        "title": demo.title,
        "organiser_zone": demo.organiser_zone,
        "duration_minutes": demo.duration_minutes,
        "bridge_id": bridge.id,
        "countries": countries,
        "people": people,
    }
    # Validated once with a stand-in start, so the rule reads checked values.
    checked = SessionCreate.model_validate(request | {"start": now})
    start = _start(db, demo.start_rule, checked, booked, now)
    return SessionCreate.model_validate(request | {"start": start})


def _start(
    db: Session,
    rule: StartRule,
    request: SessionCreate,
    booked: Mapping[str, VdoSession],
    now: datetime,
) -> datetime:
    """When the session starts, relative to `now`: ahead of it, so the demo's plans never lie in
    the past, except for a meeting held already."""
    if isinstance(rule, StartAfter):
        earlier = booked.get(rule.session)
        if earlier is None:
            raise invalid_field(
                "start_after.session", f"no earlier session titled {rule.session!r}"
            )
        return earlier.start_utc + timedelta(days=rule.days)
    if isinstance(rule, Held | StartOnWeekday):
        zone = pytz.timezone(directory.check_zone("organiser_zone", request.organiser_zone))
        if isinstance(rule, Held):
            day = now.date() - timedelta(days=rule.days_ago)
        else:
            earliest = now.date() + timedelta(days=rule.at_least_days_ahead)
            day = earliest + timedelta(
                days=(WEEKDAY_CODES.index(rule.day) - earliest.weekday()) % 7
            )
        return zone.localize(datetime.combine(day, rule.local_time))
    first_day = (now + timedelta(days=rule.days_ahead)).date()
    plan = planner_service.plan(
        db,
        countries=request.countries,
        people=request.people,
        first_day=first_day,
        last_day=first_day + timedelta(days=rule.window_days - 1),
        duration=timedelta(minutes=request.duration_minutes),
        step=timedelta(minutes=rule.step_minutes),
        bridge_id=request.bridge_id,
        limit=1,
        viewer=SECRETARIAT,
    )
    if not plan.slots:
        raise invalid_field("start_by_planner", "the planner found no slot in the window")
    return plan.slots[0].start
