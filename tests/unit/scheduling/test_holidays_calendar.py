from __future__ import annotations

from datetime import date

import pytest

from service.scheduling.holidays_calendar import holiday_on, holidays_between


def test_thai_in_lieu_day_and_constitution_day_2026() -> None:
    in_lieu = holiday_on("TH", date(2026, 12, 7))
    assert in_lieu is not None
    assert "(in lieu)" in in_lieu.name
    constitution = holiday_on("TH", date(2026, 12, 10))
    assert constitution is not None
    assert constitution.name == "Constitution Day"
    assert not constitution.estimated
    assert holiday_on("TH", date(2026, 12, 9)) is None


def test_government_only_days_off_count_for_civil_servants() -> None:
    # Indonesia's joint leave (cuti bersama) closes government offices, not the whole country.
    joint_leave = holiday_on("ID", date(2026, 12, 24))
    assert joint_leave is not None
    assert "Joint Holiday" in joint_leave.name


def test_observed_days_count() -> None:
    observed = holiday_on("BN", date(2026, 12, 26))
    assert observed is not None
    assert "(observed)" in observed.name


def test_dates_the_package_only_estimates_are_flagged() -> None:
    eid = holiday_on("MY", date(2030, 2, 4))
    assert eid is not None
    assert eid.estimated
    assert "Eid al-Fitr" in eid.name
    assert holiday_on("TL", date(2026, 5, 27)).estimated  # type: ignore[union-attr]
    # Malaysia's 2026 dates are confirmed by the package, so not estimated.
    assert not holiday_on("MY", date(2026, 5, 27)).estimated  # type: ignore[union-attr]


def test_subdivisions_have_their_own_holidays() -> None:
    # Deepavali is not a holiday in Sarawak (13), but is in Kuala Lumpur (14).
    assert holiday_on("MY", date(2026, 11, 9), "14") is not None
    assert holiday_on("MY", date(2026, 11, 9), "13") is None


def test_holidays_between_spans_years_in_order() -> None:
    found = holidays_between("TH", date(2026, 12, 30), date(2027, 1, 2))
    assert [h.date for h in found] == [date(2026, 12, 31), date(2027, 1, 1)]
    assert all(h.name.isascii() for h in found)  # English, whatever the machine's locale


def test_unknown_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="No holiday calendar for 'XX'"):
        holiday_on("XX", date(2026, 1, 1))
    with pytest.raises(ValueError, match="No holiday calendar for 'MY'"):
        holiday_on("MY", date(2026, 1, 1), "99")
