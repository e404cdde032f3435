"""Gap-free running numbers per issuing body and year.

The counter row is raised by one statement (an upsert that returns the new value) inside the
transaction that inserts the circular. PostgreSQL holds the row's lock until that transaction
ends, and SQLite's writers are serialized by `BEGIN IMMEDIATE` (service.db), so two staff issuing
at once get consecutive numbers; a transaction that fails rolls its number back with it, which
leaves no gap.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from service.circulars.models import CircularCounter


def take_number(db: Session, body: str, year: int) -> int:
    """The next number of `body` in `year`; valid only if the caller's transaction commits."""
    dialect = db.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CircularCounter.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(body=body, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[table.c.body, table.c.year], set_={"last": table.c.last + 1}
        )
        .returning(table.c.last)
    )
    number: int = db.execute(statement).scalar_one()
    return number
