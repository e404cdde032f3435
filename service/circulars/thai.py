"""Dates and numbers as Thai official documents write them.

Thai circulars date in the Buddhist Era (CE + 543) with the full Thai month name, e.g.
`5 มีนาคม 2569`. Babel's Thai locale prints Gregorian years, so the project writes these
itself; the month names are fixed by the Royal Institute and never change.
"""

from __future__ import annotations

from datetime import date

from service.rendering.dates import buddhist_year

THAI_MONTHS: tuple[str, ...] = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)

ENGLISH_MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_digits(text: str) -> str:
    """`text` with Arabic digits written as Thai digits, which some offices prefer."""
    return text.translate(_THAI_DIGITS)


def thai_date(day: date) -> str:
    """`5 มีนาคม 2569`: day, Thai month name, Buddhist Era year."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {buddhist_year(day)}"


def english_date(day: date) -> str:
    """`5 March 2026`, the form ASEAN documents use (no leading zero, no weekday)."""
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
