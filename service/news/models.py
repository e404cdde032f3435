"""Stored news posts: Markdown written by staff, public once published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime
from service.directory.models import Language


class NewsPost(SQLModel, table=True):
    __tablename__ = "news_post"

    id: int | None = Field(default=None, primary_key=True)
    # The post's address, /news/{slug}: kept when the title changes, so links keep working.
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))  # Markdown, sanitised when shown
    language: Language = Field(sa_column=Column(String(2), nullable=False))
    published: bool = Field(default=False, index=True)
    # When it was first published; kept if it is withdrawn and published again.
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
    )
