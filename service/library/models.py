"""Library documents: what is known of each, and its bytes in a table of their own so that
searching and listing never read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime

MAX_FILE_BYTES = 20 * 1024 * 1024  # a manual with pictures; the largest file the library takes


class LibraryDocument(SQLModel, table=True):
    __tablename__ = "library_document"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    summary: str = Field(default="", max_length=2000)
    # None: the network's own document rather than one country's.
    country_code: str | None = Field(
        default=None,
        sa_column=Column(String(2), ForeignKey("country.code"), nullable=True, index=True),
    )
    year: int = Field(index=True)
    language: str = Field(sa_column=Column(String(8), nullable=False))  # e.g. en, th, vi
    # Only public documents are shown to anyone without a staff account.
    public: bool = Field(default=False, index=True)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    # The adopted minutes' circular it was made from, if any: at most once each.
    circular_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("circular.id"), nullable=True, unique=True),
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    added_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
    )


class LibraryFile(SQLModel, table=True):
    __tablename__ = "library_file"

    document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("library_document.id", ondelete="CASCADE"), primary_key=True
        )
    )
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
