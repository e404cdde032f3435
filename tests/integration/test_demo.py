"""`vdo demo`'s data: a file shipped in the package, loaded through the API's own services."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
import pytz
from sqlalchemy import func
from sqlmodel import Session, select

from service.auth.models import ApiToken
from service.calendars.models import CalendarEntry
from service.circulars.models import Circular, CircularDocument
from service.delivery.models import OutboxMessage
from service.demo import DemoData, load_demo, read_demo_data
from service.directory.models import Agency, Country, Person
from service.errors import DomainError
from service.minutes.queries import minutes_record
from service.minutes.records import ActionStatus, MinutesStatus
from service.scheduling.availability import Availability, status_at
from service.scheduling.models import VdoSession
from service.scheduling.participants import country_participant
from tests.integration.relative_dates import local_start

HELD = "Human Resource Development Working Group"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _count(db: Session, model: type) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def _with(data: DemoData, **changes: object) -> DemoData:
    return DemoData.model_validate(data.model_dump() | changes)


def test_the_shipped_data_loads_once_and_reissues_tokens(db: Session) -> None:
    first = load_demo(db, now=_now())
    assert first.created == {
        "countries": 2,  # the members were seeded by the fixture; the partners' two
        "agencies": 15,
        "people": 27,
        "bridges": 3,
        "calendar entries": 6,
        "users": 2,
        "sessions": 4,
        "circulars": 4,
        "news posts": 2,
    }
    booked = _count(db, VdoSession)
    # The committee, eight weekly meetings, the partners' briefing, a meeting held already.
    assert booked == 1 + 8 + 1 + 1
    again = load_demo(db, now=_now())
    assert set(again.created.values()) == {0}
    assert _count(db, VdoSession) == booked
    assert again.tokens.keys() == {"admin", "secretariat"}
    assert again.tokens != first.tokens
    live = db.exec(select(ApiToken).where(ApiToken.label == "demo", ApiToken.revoked_at == None))  # noqa: E711
    assert len(list(live)) == 2


def test_people_get_their_agency_country_and_zone_from_the_directory_service(
    db: Session,
) -> None:
    load_demo(db, now=_now())
    somchai = db.exec(select(Person).where(Person.email == "somchai.j@opdc.example.th")).one()
    opdc = db.get(Agency, somchai.agency_id)
    assert opdc is not None
    assert opdc.acronym == "OPDC"
    assert (somchai.country_code, somchai.zone, somchai.language) == ("TH", "Asia/Bangkok", "th")


def test_an_entry_the_api_would_refuse_stops_the_demo_naming_it(db: Session) -> None:
    data = read_demo_data()
    agencies = data.model_dump()["agencies"]
    agencies[2]["zone"] = "Asia/Atlantis"
    with pytest.raises(DomainError) as refused:
        load_demo(db, _with(data, agencies=agencies), now=_now())
    assert refused.value.errors == [
        {
            "field": "agencies[2].zone",
            "reason": "'Asia/Atlantis' is not an IANA time zone (e.g. Asia/Bangkok)",
        }
    ]
    assert "agencies[2]" in refused.value.detail


def test_a_bridge_with_bad_settings_is_refused_as_the_api_refuses_it(db: Session) -> None:
    data = read_demo_data()
    bridges = data.model_dump()["bridges"]
    del bridges[1]["settings"]["secret"]
    with pytest.raises(DomainError) as refused:
        load_demo(db, _with(data, bridges=bridges), now=_now())
    assert refused.value.errors[0]["field"] == "bridges[1].settings.secret"


def test_unknown_keys_in_the_file_are_refused_by_name(tmp_path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(
        '[[agencies]]\nnmae = "Typo"\nacronym = "T"\ncountry_code = "TH"\nkind = "partner"\n'
    )
    with pytest.raises(DomainError) as refused:
        read_demo_data(path)
    fields = {error["field"] for error in refused.value.errors}
    assert {"agencies[0].nmae", "agencies[0].name"} <= fields


def test_a_session_takes_only_booking_keys_and_one_start_rule(tmp_path) -> None:
    path = tmp_path / "demo.toml"
    session = (
        '[[sessions]]\ntitle = "T"\norganiser_zone = "Asia/Bangkok"\nduration_minutes = 60\n'
        'bridge = "B"\n'
    )
    path.write_text(session + "acknowlege_problems = true\n")
    with pytest.raises(DomainError) as refused:
        read_demo_data(path)
    assert "unknown key(s) acknowlege_problems" in refused.value.errors[0]["reason"]
    path.write_text(session)
    with pytest.raises(DomainError) as refused:
        read_demo_data(path)
    assert "exactly one of start_by_planner" in refused.value.errors[0]["reason"]
    upcoming = session + 'start_after = { session = "S", days = 1 }\n'
    path.write_text(upcoming + 'circulars = ["notice"]\n')
    with pytest.raises(DomainError) as refused:
        read_demo_data(path)
    assert "belong to a held meeting" in refused.value.errors[0]["reason"]


def test_sessions_refer_to_known_bridges_and_people(db: Session) -> None:
    data = read_demo_data()
    sessions = data.model_dump()["sessions"]
    sessions[2]["people"] = ["nobody@example.org"]
    with pytest.raises(DomainError) as refused:
        load_demo(db, _with(data, sessions=sessions), now=_now())
    assert refused.value.errors[0]["field"] == "sessions[2].people"
    assert "nobody@example.org" in refused.value.errors[0]["reason"]


def test_relative_starts_follow_the_clock(db: Session) -> None:
    now = _now() + timedelta(days=40)
    load_demo(db, now=now)
    starts = {
        title: start
        for title, start in db.exec(
            select(VdoSession.title, func.min(VdoSession.start_utc)).group_by(VdoSession.title)
        )
    }
    committee = starts["ASEAN Pubs Steering Committee"]
    assert now + timedelta(days=1) < committee < now + timedelta(days=31)
    assert starts["Partners' briefing: public-sector innovation"] == committee + timedelta(days=7)
    group = starts["Digital Government Working Group"].astimezone(UTC)
    assert group.weekday() == 3
    assert (group.hour, group.minute) == (7, 0)
    assert timedelta(days=6) < group - now < timedelta(days=14)
    held = starts[HELD].astimezone(pytz.timezone("Asia/Bangkok"))
    assert (held.date(), held.hour) == (now.date() - timedelta(days=21), 10)


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_meeting_held_already_has_adopted_minutes_and_circulars_in_both_languages(
    db: Session,
) -> None:
    now = _now()
    load_demo(db, now=now)
    held = db.exec(select(VdoSession).where(VdoSession.title == HELD)).one()
    assert held.start_utc < now
    minutes = minutes_record(db, held.id or 0)
    assert minutes is not None
    assert minutes.status == MinutesStatus.adopted
    assert minutes.adopted_at is not None
    assert held.start_utc < minutes.adopted_at < now
    substantive = next(item for item in minutes.items if item.number == "4")
    assert len(substantive.decisions) == 2
    assert {(a.owner, a.status) for a in substantive.actions} == {
        ("Malaysia", ActionStatus.open),
        ("Somchai Jaidee", ActionStatus.open),
        ("Indonesia", ActionStatus.open),
        ("Kanokwan Thongdee", ActionStatus.done),
    }
    # One action item is overdue, one due within three days: the reminders have work to show.
    dues = sorted(a.due for a in substantive.actions if a.status == ActionStatus.open and a.due)
    assert dues[0] < now.date() < dues[1] <= now.date() + timedelta(days=3)

    circulars = db.exec(select(Circular).where(Circular.session_id == held.id)).all()
    assert sorted((c.kind, c.language) for c in circulars) == [
        ("minutes", "en"),
        ("minutes", "th"),
        ("notice", "en"),
        ("notice", "th"),
    ]
    assert all(c.issued_at < now for c in circulars)
    headings = {"en": "Minutes of the Meeting", "th": "รายงานการประชุม"}
    for circular in circulars:
        if circular.kind == "minutes":
            pdf = db.get(CircularDocument, (circular.id, "pdf"))
            assert pdf is not None
            text = _pdf_text(pdf.content)
            assert headings[circular.language] in text
            assert "joint e-learning catalogue" in text
    # Recorded as history: nobody is emailed about the demo's past meeting.
    assert _count(db, OutboxMessage) == 0


def test_the_demo_carries_sourced_official_exceptions_the_planner_applies(db: Session) -> None:
    load_demo(db, now=_now())
    entries = list(db.exec(select(CalendarEntry)))
    assert {e.country_code for e in entries} == {"MM", "VN"}
    assert all(len(e.source) > 40 and e.recorded_by == "vdo demo" for e in entries)
    viet_nam = country_participant(db, db.get(Country, "VN") or Country())
    saturday = local_start(date(2026, 1, 10), 10, "Asia/Ho_Chi_Minh")  # a past, announced swap
    assert status_at(viet_nam, saturday).status is Availability.WORKING
    friday = local_start(date(2026, 1, 2), 10, "Asia/Ho_Chi_Minh")
    assert status_at(viet_nam, friday).status is Availability.HOLIDAY
