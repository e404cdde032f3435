"""Dates written for a reader: day and month names in their language, and the year as they
count it.

Thai readers count years in the Buddhist Era (CE + 543): Thai official documents do, and a Thai
page that dated a meeting 2026 beside the circular that dates it 2569 would read as a mistake.
Babel's Thai locale prints the Common Era year, so here the year goes into the pattern as quoted
text.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from jinja2 import pass_context
from jinja2.runtime import Context

from service.rendering.i18n import language_of

BUDDHIST_ERA_OFFSET = 543


def buddhist_year(day: date) -> int:
    return day.year + BUDDHIST_ERA_OFFSET


def written(moment: date | datetime, pattern: str, language: str) -> str:
    """`moment` written with a CLDR pattern (e.g. "EEE d MMM y, HH:mm") in `language`; a
    datetime is written in its own zone. The pattern's year (`y`) is the Buddhist Era year for
    Thai."""
    if language == "th":
        pattern = pattern.replace("y", f"'{buddhist_year(moment)}'")
    if isinstance(moment, datetime):
        return format_datetime(moment, pattern, locale=language)
    return format_date(moment, pattern, locale=language)


@pass_context
def written_for_reader(context: Context, moment: date | datetime, pattern: str) -> str:
    """The `written` filter of templates: in the render's interface language."""
    return written(moment, pattern, language_of(context))
