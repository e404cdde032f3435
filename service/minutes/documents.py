"""Papers attached to agenda items: kept in the database, type checked by content.

The type is sniffed from the bytes, not taken from the file name or the client's header: a PDF
starts with `%PDF-`, PNG and JPEG with their signatures, and DOCX and XLSX are ZIP archives
holding `word/document.xml` or `xl/workbook.xml`.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from urllib.parse import quote

from sqlmodel import Session

from service.errors import NotFound, invalid_field
from service.minutes.models import MAX_DOCUMENT_BYTES, AgendaDocument, AgendaItem
from service.minutes.schemas import DocumentRead

MAX_BYTES = MAX_DOCUMENT_BYTES
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_OFFICE_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}


def sniff(content: bytes) -> str | None:
    """The media type the bytes are, among the accepted ones; None for anything else."""
    for signature, media_type in _SIGNATURES.items():
        if content.startswith(signature):
            return media_type
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        for part, media_type in _OFFICE_PARTS.items():
            if part in names:
                return media_type
    return None


def checked_media_type(content: bytes, max_bytes: int) -> str:
    """What an uploaded file is, refusing one that is empty, larger than `max_bytes` or of a
    type not accepted (422 naming the field `file`)."""
    if len(content) > max_bytes:
        raise invalid_field("file", f"is larger than {max_bytes // (1024 * 1024)} MB")
    if not content:
        raise invalid_field("file", "is empty")
    media_type = sniff(content)
    if media_type is None:
        raise invalid_field("file", "is not a PDF, DOCX, XLSX, PNG or JPEG file")
    return media_type


def safe_filename(filename: str) -> str:
    """The name an upload is kept under: no path separators, 200 characters at most."""
    return (filename or "document").replace("/", "_").replace("\\", "_")[:200]


def attach(
    db: Session, session_id: int, item_id: int, filename: str, content: bytes, now: datetime
) -> DocumentRead:
    item = db.get(AgendaItem, item_id)
    if item is None or item.session_id != session_id:
        raise NotFound(f"Session {session_id} has no agenda item {item_id}.")
    media_type = checked_media_type(content, MAX_BYTES)
    name = safe_filename(filename)
    row = AgendaDocument(
        agenda_item_id=item_id,
        filename=name,
        media_type=media_type,
        size=len(content),
        content=content,
        uploaded_at=now,
    )
    db.add(row)
    db.flush()
    return DocumentRead(
        id=row.id or 0, filename=name, media_type=media_type, size=row.size, uploaded_at=now
    )


def disposition(filename: str) -> str:
    """A Content-Disposition that keeps non-ASCII names (RFC 6266) and cannot break the header."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
