"""Circulars rendered from plain values: read what was rendered, in both languages."""

from __future__ import annotations

import io
from datetime import date

import pypdf
from docx import Document

from service.circulars.documents import CircularKind, CircularNumber, JoiningDetails
from service.circulars.render import render_docx, render_html, render_pdf, render_text
from service.circulars.thai import english_date, thai_date, thai_digits
from service.directory.models import Language
from tests.unit.circular_samples import SCRIPT, adopted_minutes, circular


def test_thai_dates_use_thai_month_names_and_buddhist_era_years() -> None:
    assert thai_date(date(2026, 3, 5)) == "5 มีนาคม 2569"
    assert thai_date(date(2000, 12, 31)) == "31 ธันวาคม 2543"
    assert thai_digits("ว 7/2569") == "ว ๗/๒๕๖๙"


def test_english_dates_have_no_leading_zero_and_the_full_month() -> None:
    assert english_date(date(2026, 3, 5)) == "5 March 2026"


def test_numbers_print_as_english_reference_and_thai_number_line() -> None:
    number = CircularNumber("ASEAN-PUBS", 2026, 7)
    assert number.reference == "ASEAN-PUBS/C/2026/007"
    assert number.thai_line == "ที่ ASEAN-PUBS/ว 7"


def test_thai_circular_carries_the_number_line_and_buddhist_era_date() -> None:
    notice = circular(language=Language.th)
    expected_date = thai_date(notice.issued_on)
    assert str(notice.issued_on.year + 543) in expected_date
    for rendered in (render_html(notice), render_text(notice)):
        assert "ที่ ASEAN-PUBS/ว 7" in rendered
        assert expected_date in rendered
        assert "หนังสือเชิญประชุม" in rendered


def test_english_circular_carries_reference_and_english_date() -> None:
    notice = circular()
    html = render_html(notice)
    assert "No. ASEAN-PUBS/C/" in html
    assert english_date(notice.issued_on) in html
    assert "Notice of Meeting" in html


def test_a_preview_says_it_is_not_issued() -> None:
    assert "PREVIEW: not issued" in render_text(circular(sequence=None))


def test_notice_lists_start_times_in_every_participant_zone() -> None:
    text = render_text(circular())
    assert "Asia/Bangkok (Thailand):" in text
    assert "14:00-16:00" in text
    assert "Asia/Dili (Timor-Leste):" in text
    assert "16:00-18:00" in text


def test_joining_details_appear_only_in_copies_given_them() -> None:
    public = circular()
    copy = circular()
    copy = type(copy)(**{**copy.__dict__, "joining": JoiningDetails("https://j/x", "42", "s3cret")})
    assert "s3cret" not in render_html(public) + render_text(public)
    assert "s3cret" in render_html(copy)
    assert "s3cret" in render_text(copy)


def test_a_script_in_a_decision_is_text_in_html() -> None:
    html = render_html(circular(CircularKind.minutes, minutes=adopted_minutes(SCRIPT)))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html


def test_docx_opens_and_holds_the_agenda_items_and_decisions_as_text() -> None:
    notice = Document(io.BytesIO(render_docx(circular())))
    paragraphs = [p.text for p in notice.paragraphs]
    assert "1. Opening remarks" in paragraphs
    assert "2. Adoption of the agenda" in paragraphs
    minutes = Document(
        io.BytesIO(render_docx(circular(CircularKind.minutes, minutes=adopted_minutes(SCRIPT))))
    )
    assert any(SCRIPT in p.text for p in minutes.paragraphs)


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_of_a_thai_circular_has_its_thai_title() -> None:
    text = _pdf_text(render_pdf(render_html(circular(language=Language.th))))
    assert "หนังสือเชิญประชุม" in text
    assert "ASEAN-PUBS/ว 7" in text


def test_pdf_of_english_minutes_has_its_title_and_shows_a_script_as_text() -> None:
    html = render_html(circular(CircularKind.minutes, minutes=adopted_minutes(SCRIPT)))
    text = _pdf_text(render_pdf(html))
    assert "Minutes of the Meeting" in text
    assert SCRIPT in text
