"""All-or-nothing CSV import of people, because secretariats keep delegates in spreadsheets.

Every row is checked before anything is written; one bad row refuses the whole file and the
report names each bad row, column and reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from annotated_types import MaxLen
from sqlalchemy import func
from sqlmodel import Session, select

from service.directory.models import Agency, Country, Language, Person
from service.directory.service import check_zone
from service.email_address import check_email
from service.errors import DomainError, InvalidInput

REQUIRED_COLUMNS = ("name", "email")
KNOWN_COLUMNS = ("name", "email", "agency", "country", "zone", "language", "title", "position")
MAX_ROWS = 20_000
MAX_FILE_BYTES = 10_000_000  # room for MAX_ROWS rows of long names, agencies and positions


def _table_length(column: str) -> int:
    """The length the person table allows `column`, which the API's schemas state too."""
    limits = Person.model_fields[column].metadata
    return next(limit.max_length for limit in limits if isinstance(limit, MaxLen))


TEXT_LIMITS = {column: _table_length(column) for column in ("name", "title", "position")}

Progress = Callable[[int, int], None]


class _Lookups:
    """What a row may refer to, loaded once so that checking a row needs no query."""

    def __init__(self, db: Session) -> None:
        self.countries = {c.code: c for c in db.exec(select(Country)).all()}
        self.agencies: dict[str, Agency] = {}
        for agency in db.exec(select(Agency)).all():
            self.agencies[agency.name.lower()] = agency
            self.agencies.setdefault(agency.acronym.lower(), agency)
        self.emails = set(db.exec(select(func.lower(Person.email))).all())


def _person_from_row(
    row: dict[str, str], lookups: _Lookups, errors: list[dict[str, Any]], line: int
) -> Person | None:
    def fail(column: str, reason: str) -> None:
        errors.append({"row": line, "column": column, "reason": reason})

    before = len(errors)
    name = row.get("name", "").strip()
    if not name:
        fail("name", "is empty")
    for column, limit in TEXT_LIMITS.items():
        if len(row.get(column, "").strip()) > limit:
            fail(column, f"must be at most {limit} characters")
    email = ""
    try:
        email = check_email("email", row.get("email", ""))
    except DomainError as exc:
        fail("email", exc.errors[0]["reason"])
    else:
        if email in lookups.emails:
            fail("email", f"{email} is already registered or appears earlier in the file")
        lookups.emails.add(email)
    agency = None
    if agency_ref := row.get("agency", "").strip():
        agency = lookups.agencies.get(agency_ref.lower())
        if agency is None:
            fail("agency", f"unknown agency {agency_ref!r} (use its name or acronym)")
    country = None
    if country_ref := row.get("country", "").strip().upper():
        country = lookups.countries.get(country_ref)
        if country is None:
            fail("country", f"unknown country {country_ref!r}")
    elif agency is not None:
        country = lookups.countries[agency.country_code]
    else:
        fail("country", "is required when no agency is given")
    zone = row.get("zone", "").strip()
    if zone:
        try:
            zone = check_zone("zone", zone)
        except DomainError as exc:
            fail("zone", exc.errors[0]["reason"])
    elif agency is not None and agency.zone:
        zone = agency.zone
    elif country is not None:
        zone = country.capital_zone
    language = row.get("language", "").strip().lower() or "en"
    if language not in Language.__members__:
        fail("language", f"{language!r} is not supported; use en or th")
    if len(errors) > before or country is None:
        return None
    return Person(
        name=name,
        email=email,
        agency_id=agency.id if agency else None,
        country_code=country.code,
        zone=zone,
        language=Language(language),
        title=row.get("title", "").strip(),
        position=row.get("position", "").strip(),
    )


def decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The CSV file must be UTF-8 encoded.") from None


def read_people_csv(text: str) -> list[dict[str, str]]:
    """Rows as dicts keyed by lower-case column name; refuses files without the needed columns."""
    if "\x00" in text:
        raise InvalidInput("The file contains NUL characters; save it as UTF-8 text (CSV).")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(
            f"The file has no {', '.join(missing)} column; the header must include "
            f"{', '.join(REQUIRED_COLUMNS)} and may include {', '.join(KNOWN_COLUMNS[2:])}.",
            errors=[{"row": 1, "column": c, "reason": "missing column"} for c in missing],
        )
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        # Like an unknown JSON field: a misspelt column ("emial") would otherwise be dropped
        # without a word, and the data in it lost.
        raise InvalidInput(
            f"The file has columns this import does not know: {', '.join(unknown)}; "
            f"the known columns are {', '.join(KNOWN_COLUMNS)}.",
            errors=[{"row": 1, "column": c, "reason": "unknown column"} for c in unknown],
        )
    rows = []
    for raw in reader:
        if raw.get(None):  # DictReader's restkey: cells beyond the header
            raise InvalidInput(
                f"Row {reader.line_num} has more cells than the header has columns.",
                errors=[{"row": reader.line_num, "reason": "more cells than columns"}],
            )
        rows.append({(k or "").strip().lower(): (v or "") for k, v in raw.items() if k})
        if len(rows) > MAX_ROWS:
            raise InvalidInput(f"The file has more than {MAX_ROWS} rows; split it.")
    return rows


def import_people(db: Session, text: str, progress: Progress | None = None) -> int:
    """Check every row, then add them all; returns how many were added."""
    rows = read_people_csv(text)
    if not rows:
        raise InvalidInput("The file has a header but no rows.")
    lookups = _Lookups(db)
    errors: list[dict[str, Any]] = []
    people = []
    for index, row in enumerate(rows):
        person = _person_from_row(row, lookups, errors, line=index + 2)
        if person is not None:
            people.append(person)
        if progress:
            progress(index + 1, len(rows))
    if errors:
        bad_rows = len({e["row"] for e in errors})
        raise InvalidInput(
            f"Nothing was imported: {bad_rows} of {len(rows)} rows have problems.", errors=errors
        )
    db.add_all(people)
    db.flush()
    return len(people)
