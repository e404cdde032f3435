"""Issued circulars, their stored representations, and the running-number counters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class DocumentFormat(StrEnum):
    html = "html"
    txt = "txt"
    pdf = "pdf"
    docx = "docx"


MEDIA_TYPES: dict[DocumentFormat, str] = {
    DocumentFormat.html: "text/html; charset=utf-8",
    DocumentFormat.txt: "text/plain; charset=utf-8",
    DocumentFormat.pdf: "application/pdf",
    DocumentFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class CircularCounter(SQLModel, table=True):
    """The last number an issuing body gave in a year; raised in the issuing transaction."""

    __tablename__ = "circular_counter"

    body: str = Field(primary_key=True, max_length=40)
    year: int = Field(primary_key=True)
    last: int = 0


class Circular(SQLModel, table=True):
    """An issued circular: never changed once written; a correction is a new one."""

    __tablename__ = "circular"
    __table_args__ = (UniqueConstraint("body", "year", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vdo_session.id"), nullable=False, index=True)
    )
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    language: str = Field(sa_column=Column(String(2), nullable=False))
    body: str = Field(max_length=40)
    year: int
    sequence: int
    reference: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=500)
    # Readable by every signed-in user, not only the session's invitees and staff.
    public: bool = False
    corrects_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("circular.id"), nullable=True)
    )
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    issued_by: int = Field(foreign_key="app_user.id")

    def file_name(self, fmt: DocumentFormat) -> str:
        """`ASEAN-PUBS-C-2026-007.pdf`: the reference, as a file name."""
        return f"{self.reference.replace('/', '-')}.{fmt.value}"


class CircularDocument(SQLModel, table=True):
    """One representation of an issued circular, byte for byte as issued, with its SHA-256."""

    __tablename__ = "circular_document"

    circular_id: int = Field(
        sa_column=Column(Integer, ForeignKey("circular.id", ondelete="CASCADE"), primary_key=True)
    )
    format: str = Field(sa_column=Column(String(8), primary_key=True))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64)
