"""`vdo demo`: the ASEAN Pubs demo network, loaded idempotently (re-running adds nothing twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytz
from sqlalchemy import func
from sqlmodel import Session, select

from service.auth import service as auth
from service.auth.models import ApiToken, User
from service.conferencing.models import Bridge, ProviderKind
from service.conferencing.providers import validate_bridge_settings
from service.db import utcnow
from service.directory import service as directory
from service.directory.models import Agency, AgencyKind, Country, Language, Person
from service.directory.schemas import CountryCreate
from service.scheduling import planning, series
from service.scheduling import service as sessions
from service.scheduling.models import VdoSession
from service.scheduling.schemas import RecurrenceIn, SessionCreate

# (country, agency name, acronym, kind, zone or None for the capital's)
DEMO_AGENCIES: tuple[tuple[str, str, str, AgencyKind, str | None], ...] = (
    (
        "BN",
        "Public Service Department, Prime Minister's Office (Brunei Darussalam)",
        "JPA-BN",
        AgencyKind.member_agency,
        None,
    ),
    ("KH", "Ministry of Civil Service (Cambodia)", "MCS", AgencyKind.member_agency, None),
    (
        "ID",
        "Ministry of State Apparatus Utilization and Bureaucratic Reform (Indonesia)",
        "KemenPANRB",
        AgencyKind.member_agency,
        None,
    ),
    ("LA", "Ministry of Home Affairs (Lao PDR)", "MOHA-LA", AgencyKind.member_agency, None),
    ("MY", "Public Service Department (Malaysia)", "JPA", AgencyKind.member_agency, None),
    ("MM", "Union Civil Service Board (Myanmar)", "UCSB", AgencyKind.member_agency, None),
    ("PH", "Civil Service Commission (Philippines)", "CSC", AgencyKind.member_agency, None),
    (
        "SG",
        "Public Service Division, Prime Minister's Office (Singapore)",
        "PSD",
        AgencyKind.member_agency,
        None,
    ),
    (
        "TH",
        "Office of the Public Sector Development Commission (Thailand)",
        "OPDC",
        AgencyKind.member_agency,
        None,
    ),
    ("VN", "Ministry of Home Affairs (Viet Nam)", "MOHA-VN", AgencyKind.member_agency, None),
    ("TL", "Civil Service Commission (Timor-Leste)", "CFP", AgencyKind.member_agency, None),
    ("TH", "ASEAN Pubs Secretariat", "APS", AgencyKind.secretariat, None),
    ("PH", "Asian Development Bank", "ADB", AgencyKind.partner, None),
    ("US", "World Bank", "WB", AgencyKind.partner, None),
    ("FI", "University of Oulu", "UOulu", AgencyKind.partner, None),
)

PARTNER_COUNTRIES = (
    CountryCreate(
        code="US", name="United States", capital_zone="America/New_York", holiday_code="US"
    ),
    CountryCreate(code="FI", name="Finland", capital_zone="Europe/Helsinki", holiday_code="FI"),
)

# (agency acronym, name, email, title, position, language)
DEMO_PEOPLE: tuple[tuple[str, str, str, str, str, Language], ...] = (
    (
        "JPA-BN",
        "Nurul Hidayah Abdullah",
        "nurul.abdullah@jpa.example.bn",
        "Dayang",
        "Senior Special Duties Officer",
        Language.en,
    ),
    (
        "JPA-BN",
        "Hj Amirul Rahman",
        "amirul.rahman@jpa.example.bn",
        "Awang",
        "Head of International Affairs",
        Language.en,
    ),
    ("MCS", "Sokha Chan", "sokha.chan@mcs.example.kh", "Mr.", "Deputy Director", Language.en),
    ("MCS", "Dara Kim", "dara.kim@mcs.example.kh", "Ms.", "Programme Officer", Language.en),
    (
        "KemenPANRB",
        "Siti Rahmawati",
        "siti.rahmawati@menpan.example.id",
        "Ms.",
        "Director of International Cooperation",
        Language.en,
    ),
    ("KemenPANRB", "Budi Santoso", "budi.santoso@menpan.example.id", "Mr.", "Analyst", Language.en),
    (
        "MOHA-LA",
        "Khamphone Sisavath",
        "khamphone.s@moha.example.la",
        "Mr.",
        "Deputy Director",
        Language.en,
    ),
    ("MOHA-LA", "Vanh Phommachanh", "vanh.p@moha.example.la", "Ms.", "Officer", Language.en),
    (
        "JPA",
        "Ahmad Faizal Ismail",
        "faizal.ismail@jpa.example.my",
        "Encik",
        "Principal Assistant Director",
        Language.en,
    ),
    (
        "JPA",
        "Tan Mei Ling",
        "meiling.tan@jpa.example.my",
        "Puan",
        "Assistant Director",
        Language.en,
    ),
    ("UCSB", "Aung Kyaw Min", "aung.kyawmin@ucsb.example.mm", "U", "Director", Language.en),
    ("UCSB", "Thandar Win", "thandar.win@ucsb.example.mm", "Daw", "Deputy Director", Language.en),
    ("CSC", "Maria Santos", "maria.santos@csc.example.ph", "Dir.", "Director IV", Language.en),
    (
        "CSC",
        "Jose Reyes",
        "jose.reyes@csc.example.ph",
        "Mr.",
        "Supervising Personnel Specialist",
        Language.en,
    ),
    ("PSD", "Lim Wei Jie", "lim.weijie@psd.example.sg", "Mr.", "Deputy Director", Language.en),
    ("PSD", "Priya Nair", "priya.nair@psd.example.sg", "Ms.", "Senior Manager", Language.en),
    (
        "OPDC",
        "Somchai Jaidee",
        "somchai.j@opdc.example.th",
        "Mr.",
        "Director, Foreign Affairs",
        Language.th,
    ),
    (
        "OPDC",
        "Pimchanok Srisuk",
        "pimchanok.s@opdc.example.th",
        "Ms.",
        "Plan and Policy Analyst",
        Language.th,
    ),
    (
        "OPDC",
        "Anan Wongsakul",
        "anan.w@opdc.example.th",
        "Mr.",
        "Plan and Policy Analyst",
        Language.th,
    ),
    (
        "MOHA-VN",
        "Nguyen Thi Lan",
        "lan.nguyen@moha.example.vn",
        "Ms.",
        "Deputy Director General",
        Language.en,
    ),
    ("MOHA-VN", "Tran Van Minh", "minh.tran@moha.example.vn", "Mr.", "Official", Language.en),
    ("CFP", "Joana da Costa", "joana.costa@cfp.example.tl", "Ms.", "Commissioner", Language.en),
    ("CFP", "Mateus Soares", "mateus.soares@cfp.example.tl", "Mr.", "Adviser", Language.en),
    (
        "APS",
        "Kanokwan Thongdee",
        "kanokwan.t@aseanpubs.example.org",
        "Ms.",
        "Secretariat Officer",
        Language.th,
    ),
    (
        "ADB",
        "Emily Cruz",
        "ecruz@adb.example.org",
        "Ms.",
        "Public Management Specialist",
        Language.en,
    ),
    (
        "WB",
        "David Miller",
        "dmiller@worldbank.example.org",
        "Mr.",
        "Lead Governance Specialist",
        Language.en,
    ),
    (
        "UOulu",
        "Aino Virtanen",
        "aino.virtanen@oulu.example.fi",
        "Prof.",
        "Professor of Public Administration",
        Language.en,
    ),
)

DEMO_BRIDGES: tuple[tuple[str, ProviderKind, int, dict], ...] = (
    ("ASEAN Pubs Room A (Jitsi)", ProviderKind.jitsi, 100, {"base_url": "https://meet.jit.si"}),
    (
        "ASEAN Pubs Room B (BigBlueButton)",
        ProviderKind.bigbluebutton,
        150,
        {
            "api_url": "https://bbb.aseanpubs.example.org/bigbluebutton/api",
            "secret": "demo-shared-secret-change-me",
        },
    ),
    (
        "Plenary Webinar (Zoom, manual)",
        ProviderKind.manual,
        500,
        {
            "join_url": "https://zoom.example.org/j/81234567890",
            "meeting_id": "812 3456 7890",
            "passcode": "274913",
            "dial_ins": [
                {
                    "country_code": "TH",
                    "number": "+6620147000",
                    "pin": "81234567890",
                    "label": "Bangkok",
                },
                {
                    "country_code": "SG",
                    "number": "+6531587288",
                    "pin": "81234567890",
                    "label": "Singapore",
                },
            ],
            "instructions": "Join five minutes early; mute on entry.",
        },
    ),
)

DEMO_USERS = (
    ("admin@aseanpubs.example.org", "Demo Administrator", "admin"),
    ("secretariat@aseanpubs.example.org", "Kanokwan Thongdee", "secretariat"),
)
DEMO_PASSWORD = "demo-password-123"


@dataclass
class DemoResult:
    created: dict[str, int]
    tokens: dict[str, str]


def load_demo(db: Session, now: datetime) -> DemoResult:
    """Load the demo network once; its sessions are booked in the weeks after `now`."""
    created = {"countries": directory.seed_member_countries(db)}
    created["countries"] += _load_partner_countries(db)
    created["agencies"] = _load_agencies(db)
    created["people"] = _load_people(db)
    created["bridges"] = _load_bridges(db)
    created["users"], tokens = _load_users(db)
    created["sessions"] = _load_sessions(db, now)
    return DemoResult(created=created, tokens=tokens)


def _load_partner_countries(db: Session) -> int:
    added = 0
    for country in PARTNER_COUNTRIES:
        if db.get(Country, country.code) is None:
            directory.create_country(db, country)
            added += 1
    return added


def _load_agencies(db: Session) -> int:
    existing = set(db.exec(select(Agency.name)).all())
    added = 0
    for country, name, acronym, kind, zone in DEMO_AGENCIES:
        if name not in existing:
            db.add(Agency(name=name, acronym=acronym, country_code=country, kind=kind, zone=zone))
            added += 1
    db.flush()
    return added


def _load_people(db: Session) -> int:
    agencies = {a.acronym: a for a in db.exec(select(Agency)).all()}
    existing = set(db.exec(select(Person.email)).all())
    added = 0
    for acronym, name, email, title, position, language in DEMO_PEOPLE:
        if email in existing:
            continue
        agency = agencies[acronym]
        db.add(
            Person(
                name=name,
                email=email,
                agency_id=agency.id,
                country_code=agency.country_code,
                zone=directory.agency_zone(db, agency),
                language=language,
                title=title,
                position=position,
            )
        )
        added += 1
    db.flush()
    return added


def _load_bridges(db: Session) -> int:
    existing = set(db.exec(select(Bridge.name)).all())
    added = 0
    for name, provider, capacity, settings in DEMO_BRIDGES:
        if name not in existing:
            db.add(
                Bridge(
                    name=name,
                    provider=provider,
                    capacity=capacity,
                    settings=validate_bridge_settings(provider, settings),
                )
            )
            added += 1
    db.flush()
    return added


def _load_users(db: Session) -> tuple[int, dict[str, str]]:
    added = 0
    tokens = {}
    secretariat = db.exec(
        select(Person).where(Person.email == "kanokwan.t@aseanpubs.example.org")
    ).first()
    for email, name, role in DEMO_USERS:
        user = db.exec(select(User).where(func.lower(User.email) == email)).first()
        if user is None:
            person_id = secretariat.id if secretariat and role == "secretariat" else None
            user = auth.create_user(
                db, email=email, name=name, role=role, password=DEMO_PASSWORD, person_id=person_id
            )
            added += 1
        # Re-running the demo hands out a fresh token and retires the previous demo one.
        for old in db.exec(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.label == "demo")
        ):
            old.revoked_at = old.revoked_at or utcnow()
            db.add(old)
        _, tokens[role] = auth.issue_token(db, user, "demo")
    return added, tokens


def _demo_participants(db: Session) -> tuple[list[str], dict[str, int]]:
    members = list(db.exec(select(Country.code).where(Country.is_member).order_by(Country.name)))
    people = {p.email: p.id or 0 for p in db.exec(select(Person))}
    return members, people


def _next_common_slot(db: Session, countries: list[str], now: datetime) -> datetime:
    """The best all-members hour in the coming four weeks, found by the planner itself."""
    first_day = (now + timedelta(days=2)).date()
    plan = planning.plan(
        db,
        countries=countries,
        people=[],
        first_day=first_day,
        last_day=first_day + timedelta(days=27),
        duration=timedelta(hours=1),
        step=timedelta(minutes=30),
        bridge_id=None,
        limit=1,
    )
    return plan.slots[0].start


def _load_sessions(db: Session, now: datetime) -> int:
    if db.exec(select(func.count()).select_from(VdoSession)).one():
        return 0
    members, people = _demo_participants(db)
    bridges = {b.name: b.id or 0 for b in db.exec(select(Bridge))}
    jitsi, zoom = bridges[DEMO_BRIDGES[0][0]], bridges[DEMO_BRIDGES[2][0]]
    steering = sessions.book_session(
        db,
        SessionCreate(
            title="ASEAN Pubs Steering Committee",
            start=_next_common_slot(db, members, now),
            duration_minutes=60,
            organiser_zone="Asia/Bangkok",
            bridge_id=jitsi,
            countries=members,
            chair_country="TH",
            description="Quarterly review of the network's work plan.",
        ),
        now=now,
    )
    first_thursday = (now + timedelta(days=(3 - now.weekday()) % 7 + 7)).date()
    working_group = series.book_series(
        db,
        SessionCreate(
            title="Digital Government Working Group",
            start=pytz.timezone("Asia/Bangkok").localize(
                datetime.combine(first_thursday, time(14, 0))
            ),
            duration_minutes=60,
            organiser_zone="Asia/Bangkok",
            bridge_id=zoom,
            countries=["ID", "MY", "PH", "TH", "VN"],
            recurrence=RecurrenceIn(freq="WEEKLY", byweekday=["TH"], count=8),
            chair_country="ID",
            acknowledge_problems=True,
        ),
        now=now,
    )
    partners = sessions.book_session(
        db,
        SessionCreate(
            title="Partners' briefing: public-sector innovation",
            start=steering.start_utc + timedelta(days=7),
            duration_minutes=60,
            organiser_zone="Asia/Bangkok",
            bridge_id=jitsi,
            countries=["TH"],
            people=[
                people["ecruz@adb.example.org"],
                people["dmiller@worldbank.example.org"],
                people["aino.virtanen@oulu.example.fi"],
            ],
            acknowledge_problems=True,
        ),
        now=now,
    )
    return len([steering, working_group, partners])
