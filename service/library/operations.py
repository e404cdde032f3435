"""Adding documents to the library (uploaded, or an adopted minutes' circular), describing,
publishing and removing them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from service.circulars.documents import CircularKind
from service.circulars.models import Circular, CircularDocument, DocumentFormat
from service.directory.models import Country
from service.errors import Conflict, NotFound, field_error, invalid_field
from service.library.models import MAX_FILE_BYTES, LibraryDocument, LibraryFile
from service.library.schemas import DocumentFields, DocumentUpdate, FromCircular
from service.minutes.documents import checked_media_type, safe_filename
from service.queries import get_or_404
from service.request_body import patch_changes


def _check_country(db: Session, code: str | None) -> None:
    if code is not None and db.get(Country, code) is None:
        raise invalid_field("country", f"{code} is not a country in the directory")


def _store(db: Session, document: LibraryDocument, content: bytes) -> LibraryDocument:
    db.add(document)
    db.flush()
    db.add(LibraryFile(document_id=document.id or 0, content=content))
    db.flush()
    return document


def add_document(
    db: Session,
    fields: DocumentFields,
    filename: str,
    content: bytes,
    user_id: int | None,
    now: datetime,
) -> LibraryDocument:
    """A file as uploaded: its type is what its bytes are, not what its name or the browser
    says (the same check as agenda papers), and it is at most MAX_FILE_BYTES."""
    media_type = checked_media_type(content, MAX_FILE_BYTES)
    _check_country(db, fields.country)
    document = LibraryDocument(
        title=fields.title,
        summary=fields.summary,
        country_code=fields.country,
        year=fields.year,
        language=fields.language,
        public=fields.public,
        filename=safe_filename(filename),
        media_type=media_type,
        size=len(content),
        created_at=now,
        updated_at=now,
        added_by=user_id,
    )
    return _store(db, document, content)


def add_circular(
    db: Session, data: FromCircular, user_id: int | None, now: datetime
) -> LibraryDocument:
    """An adopted minutes' circular, its PDF as issued, once."""
    circular = get_or_404(db, Circular, data.circular_id, "circular")
    if circular.kind != CircularKind.minutes:
        raise Conflict(
            "Only adopted minutes' circulars go into the library.",
            errors=[field_error("circular_id", "not a minutes circular")],
        )
    added = db.exec(
        select(LibraryDocument.id).where(LibraryDocument.circular_id == circular.id)
    ).first()
    if added is not None:
        raise Conflict(
            f"Circular {circular.reference} is already in the library (document {added}).",
            errors=[field_error("circular_id", "already in the library")],
        )
    pdf = db.get(CircularDocument, (circular.id, DocumentFormat.pdf.value))
    if pdf is None:
        raise NotFound(f"Circular {circular.reference} has no PDF.")
    document = LibraryDocument(
        title=circular.title,
        summary=data.summary,
        year=circular.year,
        language=circular.language,
        public=data.public,
        filename=safe_filename(f"{circular.reference}.pdf"),
        media_type="application/pdf",
        size=len(pdf.content),
        circular_id=circular.id,
        created_at=now,
        updated_at=now,
        added_by=user_id,
    )
    return _store(db, document, pdf.content)


def _for_change(db: Session, document_id: int) -> LibraryDocument:
    """The document, locked until the transaction ends, so two edits apply one after the other."""
    document = db.exec(
        select(LibraryDocument).where(LibraryDocument.id == document_id).with_for_update()
    ).first()
    if document is None:
        raise NotFound(f"No library document with id {document_id}.")
    return document


def update_document(
    db: Session, document_id: int, data: DocumentUpdate, now: datetime
) -> LibraryDocument:
    changes = patch_changes(data, nullable={"country"})  # country null: the whole network's
    if "country" in changes:
        _check_country(db, changes["country"])
        changes["country_code"] = changes.pop("country")
    document = _for_change(db, document_id)
    for field, value in changes.items():
        setattr(document, field, value)
    document.updated_at = now
    db.add(document)
    db.flush()
    return document


def delete_document(db: Session, document_id: int) -> None:
    db.delete(_for_change(db, document_id))
    db.flush()
