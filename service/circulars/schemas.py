"""Request and response bodies of the circulars API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.circulars.documents import CircularKind
from service.directory.models import Language
from service.request_body import RequestBody

MAX_MESSAGE_LENGTH = 5_000


class CircularRequest(RequestBody):
    """What to preview or issue for a session."""

    model_config = ConfigDict(extra="forbid")

    kind: CircularKind
    language: Language = Language.en
    message: str = Field(
        default="", max_length=MAX_MESSAGE_LENGTH, description="Markdown note, e.g. why it moved"
    )
    public: bool = Field(default=False, description="Readable by every user, not only invitees")
    corrects: int | None = Field(default=None, description="Id of the circular this corrects")


class DocumentRead(BaseModel):
    url: str
    sha256: str
    size: int


class CircularRead(BaseModel):
    id: int
    session_id: int
    kind: CircularKind
    language: Language
    reference: str
    title: str
    public: bool
    corrects_id: int | None
    issued_at: datetime
    documents: dict[str, DocumentRead]
