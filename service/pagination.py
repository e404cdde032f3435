"""Limit/offset pagination shared by every list endpoint."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from service.errors import invalid_field

ItemT = TypeVar("ItemT")
MAX_LIMIT = 500


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
