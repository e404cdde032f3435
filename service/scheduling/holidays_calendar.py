"""Public holidays per country (and subdivision), from the `holidays` package.

Observed and in-lieu days are holidays like any other. Because the people planned for are civil
servants, a country's government-only days off (Indonesia's joint leave days, Thailand's Royal
Ploughing Ceremony) count too, where the package knows that category. Lunar and Islamic dates the
package only estimates are flagged, since a planner may want to stay clear of the days around them.
Names are always English (the ASEAN working language), whatever the machine's locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType

import holidays

HOLIDAY_LANGUAGE = "en_US"
_DAY_OFF_CATEGORIES = ("public", "government")
_NAME_SEPARATOR = "; "  # how the package joins several holidays falling on one date


@dataclass(frozen=True, slots=True)
class Holiday:
    date: date
    name: str
    estimated: bool  # the package computed a lunar/Islamic date it could not confirm


def holiday_on(country: str, day: date, subdivision: str | None = None) -> Holiday | None:
    """The holiday on a local date of a country (or subdivision), if that date is one."""
    return _holidays_of_year(country, subdivision, day.year).get(day)


def holidays_between(
    country: str, first: date, last: date, subdivision: str | None = None
) -> list[Holiday]:
    """Holidays from `first` to `last`, both included, in date order."""
    return [
        holiday
        for year in range(first.year, last.year + 1)
        for day, holiday in _holidays_of_year(country, subdivision, year).items()
        if first <= day <= last
    ]


@lru_cache(maxsize=256)
def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes the package knows for a country (empty for an unknown country)."""
    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return ()


@lru_cache(maxsize=1024)
def _holidays_of_year(country: str, subdivision: str | None, year: int) -> Mapping[date, Holiday]:
    try:
        supported = holidays.country_holidays(
            country, subdiv=subdivision, language=HOLIDAY_LANGUAGE
        ).supported_categories
        calendar = holidays.country_holidays(
            country,
            subdiv=subdivision,
            years=year,
            language=HOLIDAY_LANGUAGE,
            categories=tuple(c for c in _DAY_OFF_CATEGORIES if c in supported),
        )
    except NotImplementedError as error:
        # The package signals an unknown country or subdivision this way.
        raise ValueError(f"No holiday calendar for {country!r}: {error}.") from error
    estimate_labels = _estimate_labels(calendar)
    return MappingProxyType(
        {
            day: Holiday(day, name, _is_estimated(name, estimate_labels))
            for day, name in sorted(calendar.items())
        }
    )


def _estimate_labels(calendar: holidays.HolidayBase) -> list[tuple[str, str]]:
    """(prefix, suffix) around a holiday name that mark it as estimated, in the chosen language.

    The package appends e.g. " (estimated)" or " (observed, estimated)" through translatable
    "%s ..." templates; countries without estimated dates have no such template.
    """
    labels = []
    for attribute in ("estimated_label", "observed_estimated_label"):
        template = getattr(calendar, attribute, None)
        if template:
            prefix, _, suffix = calendar.tr(template).partition("%s")
            if prefix or suffix:
                labels.append((prefix, suffix))
    return labels


def _is_estimated(name: str, estimate_labels: list[tuple[str, str]]) -> bool:
    return any(
        part.startswith(prefix) and part.endswith(suffix)
        for part in name.split(_NAME_SEPARATOR)
        for prefix, suffix in estimate_labels
    )
