"""Request and response bodies of the news API (`/api/v1/news`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from service.directory.models import Language
from service.request_body import RequestBody

MAX_BODY = 50_000  # characters of Markdown: a long article, not a book
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
    Field(description="The address, /news/{slug}: lower-case letters, digits and hyphens"),
]


class PostCreate(RequestBody):
    title: Title
    body: str = Field(default="", max_length=MAX_BODY, description="Markdown")
    language: Language = Language.en
    published: bool = Field(default=False, description="false: a draft only staff see")
    slug: Slug | None = Field(default=None, description="Made from the title when left out")


class PostUpdate(RequestBody):
    title: Title | None = None
    body: str | None = Field(default=None, max_length=MAX_BODY, description="Markdown")
    language: Language | None = None
    published: bool | None = Field(default=None, description="false withdraws it to a draft")


class PostRead(BaseModel):
    id: int
    slug: str
    title: str
    body: str = Field(description="Markdown, as written")
    html: str = Field(description="The body as sanitised HTML, as the public page shows it")
    language: Language
    published: bool
    published_at: datetime | None
    updated_at: datetime
    url: str = Field(description="The public page")
