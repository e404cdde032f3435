"""Reference data for the ASEAN member states (docs/domain.md, with sources).

This is seed data, not logic: `vdo db upgrade`/`vdo demo` copy it into the `country` table, where
staff can edit it. Office hours are written as working periods in local time per weekday; the gaps
between periods on a day are breaks, and a day without periods is off (the government weekend).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The JSON form of a week, stored as-is in the database: weekday key -> list of [start, end] pairs.
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OfficeHoursJSON = dict[str, list[list[str]]]


def _week(
    weekday_periods: list[list[str]],
    *,
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri"),
    **overrides: list[list[str]],
) -> OfficeHoursJSON:
    """A week where `days` share `weekday_periods`, other days off, and `overrides` per day."""
    week: OfficeHoursJSON = {day: [] for day in WEEKDAYS}
    for day in days:
        week[day] = [list(period) for period in weekday_periods]
    week.update(overrides)
    return week


@dataclass(frozen=True)
class MemberState:
    code: str  # ISO 3166-1 alpha-2, also the `holidays` package's country code
    name: str  # official short name as ASEAN documents use it
    capital_zone: str  # where a delegation sits unless its agency says otherwise
    zones: tuple[str, ...]
    office_hours: OfficeHoursJSON
    hours_note: str = ""
    # Subdivision (ISO 3166-2 suffix as the `holidays` package spells it) -> its own office hours.
    subdivision_hours: dict[str, OfficeHoursJSON] = field(default_factory=dict)
    # The subdivision whose holidays and hours a delegation in the capital keeps, where a country's
    # holidays differ by subdivision: without one, the package gives only the days common to all.
    capital_subdivision: str | None = None


# Malaysia: Kedah (02), Kelantan (03) and Terengganu (11) work Sunday-Thursday, with a short
# Thursday, as the federal service has a short Friday.
_MY_FRI_SAT_WEEKEND = _week(
    [["08:00", "13:00"], ["14:00", "17:00"]],
    days=("sun", "mon", "tue", "wed"),
    thu=[["08:00", "13:00"], ["14:00", "15:30"]],
)

MEMBER_STATES: tuple[MemberState, ...] = (
    MemberState(
        "BN",
        "Brunei Darussalam",
        "Asia/Brunei",
        ("Asia/Brunei",),
        _week([["07:45", "12:15"], ["13:30", "16:30"]], days=("mon", "tue", "wed", "thu", "sat")),
        "Friday and Sunday are the weekend; Ramadan hours (08:00-14:00) are announced yearly: "
        "record them in the country's calendar.",
    ),
    MemberState(
        "KH",
        "Cambodia",
        "Asia/Phnom_Penh",
        ("Asia/Phnom_Penh",),
        _week([["08:00", "12:00"], ["14:00", "17:00"]]),
        "Lunch break 12:00-14:00 from a secondary source.",
    ),
    MemberState(
        "ID",
        "Indonesia",
        "Asia/Jakarta",
        ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"),
        _week(
            [["07:30", "12:00"], ["13:00", "16:00"]],
            fri=[["07:30", "11:30"], ["13:00", "16:30"]],
        ),
        "37.5 h/week (Perpres 21/2023); 60 min midday break, 90 min on Friday (closing 16:30).",
    ),
    MemberState(
        "LA",
        "Lao PDR",
        "Asia/Vientiane",
        ("Asia/Vientiane",),
        _week([["08:00", "12:00"], ["13:00", "16:00"]]),
        "Unverified: sources give 16:00 or 17:00 as closing time.",
    ),
    MemberState(
        "MY",
        "Malaysia",
        "Asia/Kuala_Lumpur",
        ("Asia/Kuala_Lumpur", "Asia/Kuching"),
        _week(
            [["08:00", "13:00"], ["14:00", "17:00"]],
            fri=[["08:00", "12:15"], ["14:45", "17:00"]],
        ),
        "Flexi start 07:30-09:00; Friday prayer break 12:15-14:45.",
        subdivision_hours={
            "02": _MY_FRI_SAT_WEEKEND,
            "03": _MY_FRI_SAT_WEEKEND,
            "11": _MY_FRI_SAT_WEEKEND,
        },
        capital_subdivision="16",  # Putrajaya, the federal administrative capital
    ),
    MemberState(
        "MM",
        "Myanmar",
        "Asia/Yangon",
        ("Asia/Yangon",),
        _week([["09:30", "16:30"]]),
        "Hours from a secondary source.",
    ),
    MemberState(
        "PH",
        "Philippines",
        "Asia/Manila",
        ("Asia/Manila",),
        _week([["08:00", "12:00"], ["13:00", "17:00"]]),
    ),
    MemberState(
        "SG",
        "Singapore",
        "Asia/Singapore",
        ("Asia/Singapore",),
        _week([["08:30", "18:00"]], fri=[["08:30", "17:30"]]),
    ),
    MemberState(
        "TH",
        "Thailand",
        "Asia/Bangkok",
        ("Asia/Bangkok",),
        _week([["08:30", "12:00"], ["13:00", "16:30"]]),
    ),
    MemberState(
        "VN",
        "Viet Nam",
        "Asia/Ho_Chi_Minh",
        ("Asia/Ho_Chi_Minh",),
        _week([["08:00", "12:00"], ["13:00", "17:00"]]),
        "40 h/week; lunch 12:00-13:00 unverified.",
    ),
    MemberState(
        "TL",
        "Timor-Leste",
        "Asia/Dili",
        ("Asia/Dili",),
        _week([["08:00", "12:00"], ["14:00", "17:00"]]),
        "Admitted as the 11th member on 26 October 2025; lunch 12:00-14:00 unverified.",
    ),
)

MEMBERS_BY_CODE: dict[str, MemberState] = {member.code: member for member in MEMBER_STATES}


def member_seed_rows() -> list[dict[str, Any]]:
    """Rows for the `country` table, in the order ASEAN rotates its chair (English names)."""
    return [
        {
            "code": m.code,
            "name": m.name,
            "is_member": True,
            "capital_zone": m.capital_zone,
            "zones": list(m.zones),
            "office_hours": m.office_hours,
            "subdivision_hours": m.subdivision_hours,
            "hours_note": m.hours_note,
            "holiday_code": m.code,
        }
        for m in sorted(MEMBER_STATES, key=lambda m: m.name)
    ]
