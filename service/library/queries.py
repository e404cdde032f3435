"""Searching and reading the library: the public sees public documents, staff all of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.circulars.documents import CircularKind
from service.circulars.models import Circular
from service.errors import NotFound
from service.library.models import LibraryDocument, LibraryFile
from service.library.schemas import DocumentRead
from service.queries import paginate, text_search

FILE_PATH = "/api/v1/library/{id}/file"


@dataclass(frozen=True)
class Search:
    """What a reader looks for; every part is optional."""

    q: str | None = None
    country: str | None = None
    year: int | None = None
    language: str | None = None


def search(
    db: Session, wanted: Search, *, include_private: bool, limit: int, offset: int
) -> tuple[list[LibraryDocument], int]:
    """Matching documents, newest year first, then by title."""
    query = select(LibraryDocument)
    if not include_private:
        query = query.where(col(LibraryDocument.public).is_(True))
    if wanted.q:
        query = query.where(
            text_search(
                wanted.q,
                LibraryDocument.title,
                LibraryDocument.summary,
                LibraryDocument.filename,
            )
        )
    if wanted.country:
        query = query.where(LibraryDocument.country_code == wanted.country.upper())
    if wanted.year is not None:
        query = query.where(LibraryDocument.year == wanted.year)
    if wanted.language:
        query = query.where(LibraryDocument.language == wanted.language.lower())
    query = query.order_by(
        col(LibraryDocument.year).desc(), col(LibraryDocument.title), col(LibraryDocument.id)
    )
    return paginate(db, query, limit, offset)


def get_document(db: Session, document_id: int, *, include_private: bool) -> LibraryDocument:
    """A document; one not public is "not found" to anyone who may not see it."""
    document = db.get(LibraryDocument, document_id)
    if document is None or not (document.public or include_private):
        raise NotFound(f"No library document with id {document_id}.")
    return document


def file_of(db: Session, document: LibraryDocument) -> bytes:
    stored = db.get(LibraryFile, document.id)
    if stored is None:
        raise NotFound(f"Library document {document.id} has no file.")
    return stored.content


def years_and_languages(db: Session, *, include_private: bool) -> tuple[list[int], list[str]]:
    """The years and languages there are documents of, for the search form's choices."""
    query = select(LibraryDocument.year, LibraryDocument.language).distinct()
    if not include_private:
        query = query.where(col(LibraryDocument.public).is_(True))
    rows = db.exec(query).all()
    return sorted({y for y, _ in rows}, reverse=True), sorted({lang for _, lang in rows})


def minutes_circulars_not_in_library(db: Session) -> list[Circular]:
    """Adopted minutes' circulars that staff may still add, newest first."""
    added = select(LibraryDocument.circular_id).where(col(LibraryDocument.circular_id).isnot(None))
    return list(
        db.exec(
            select(Circular)
            .where(Circular.kind == CircularKind.minutes)
            .where(col(Circular.id).not_in(added))
            .order_by(col(Circular.issued_at).desc())
            .limit(50)
        ).all()
    )


def document_read(document: LibraryDocument) -> DocumentRead:
    return DocumentRead(
        id=document.id or 0,
        title=document.title,
        summary=document.summary,
        country=document.country_code,
        year=document.year,
        language=document.language,
        public=document.public,
        filename=document.filename,
        media_type=document.media_type,
        size=document.size,
        circular_id=document.circular_id,
        updated_at=document.updated_at,
        file_url=FILE_PATH.format(id=document.id),
    )
