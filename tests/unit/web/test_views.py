"""Dates on the pages: named in the reader's language, and in the Buddhist Era for Thai; and
file types by the names readers know them by."""

from __future__ import annotations

from datetime import UTC, datetime

from service.minutes.documents import DOCX, XLSX
from service.rendering.templates import environment
from service.web import views

# 07:00 UTC on 1 December 2026: 14:00 in Bangkok, a Tuesday.
MOMENT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_english_dates_count_in_the_common_era() -> None:
    assert views.when(MOMENT, "Asia/Bangkok") == "Tue 1 Dec 2026, 14:00 (Asia/Bangkok, +07)"
    assert views.day(MOMENT, "Asia/Bangkok") == "1 December 2026"


def test_thai_dates_count_in_the_buddhist_era() -> None:
    assert views.when(MOMENT, "Asia/Bangkok", "th") == "อ. 1 ธ.ค. 2569, 14:00 (Asia/Bangkok, +07)"
    assert views.day(MOMENT, "Asia/Bangkok", "th") == "1 ธันวาคม 2569"


def test_the_year_is_the_one_in_the_readers_zone() -> None:
    new_year = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # already 2027 in Bangkok
    assert views.day(new_year, "Asia/Bangkok", "th") == "1 มกราคม 2570"
    assert views.day(new_year, "UTC", "th") == "31 ธันวาคม 2569"


def test_templates_write_dates_in_the_readers_language() -> None:
    page = environment().from_string('{{ day | written("EEE d MMM y") }}')
    assert page.render(day=MOMENT.date()) == "Tue 1 Dec 2026"
    assert page.render(day=MOMENT.date(), interface_language="th") == "อ. 1 ธ.ค. 2569"


def test_file_types_are_named_as_their_extensions() -> None:
    assert views.file_kind("application/pdf") == "PDF"
    assert views.file_kind("image/jpeg") == "JPEG"
    # Not "DOCUMENT" and "SHEET", the ends of their media types.
    assert views.file_kind(DOCX) == "DOCX"
    assert views.file_kind(XLSX) == "XLSX"
