"""Query helpers shared by the list and lookup endpoints: pagination, text search, 404s."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from litestar.params import Parameter
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from service.errors import Conflict, NotFound, field_error, invalid_field

ItemT = TypeVar("ItemT")
RowT = TypeVar("RowT")
MAX_LIMIT = 500
MAX_SEARCH_LENGTH = 100

CountryFilter = Annotated[
    str | None, Parameter(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. TH")
]
SearchText = Annotated[
    str | None,
    Parameter(
        max_length=MAX_SEARCH_LENGTH,
        description=f"Text to look for, case aside (at most {MAX_SEARCH_LENGTH} characters)",
    ),
]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int


def check_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid_field("limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise invalid_field("offset", "must not be negative")


def paginate(
    db: Session, query: SelectOfScalar[Any], limit: int, offset: int
) -> tuple[list[Any], int]:
    check_window(limit, offset)
    total = db.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    return list(db.exec(query.limit(limit).offset(offset)).all()), total


def text_search(q: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of `columns` (the `q` filter of list endpoints)."""
    pattern = f"%{q.lower()}%"
    return or_(*(func.lower(column).like(pattern) for column in columns))


def get_or_404(db: Session, model: type[RowT], key: Any, what: str) -> RowT:
    row = db.get(model, key)
    if row is None:
        raise NotFound(f"No {what} with id {key}.")
    return row


def check_name_free(
    db: Session, model: type[Any], name: str, what: str, own_id: int | None = None
) -> None:
    """Names are unique whatever their case: 409 naming the clash otherwise."""
    clash = db.exec(select(model).where(func.lower(model.name) == name.lower())).first()
    if clash is not None and clash.id != own_id:
        raise Conflict(
            f"{what} named {name!r} already exists.", errors=[field_error("name", "taken")]
        )
