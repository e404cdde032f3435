"""Bridges: the video rooms sessions are booked on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ProviderKind(StrEnum):
    jitsi = "jitsi"
    bigbluebutton = "bigbluebutton"
    manual = "manual"


class Bridge(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    provider: ProviderKind = Field(sa_column=Column(String(20), nullable=False))
    capacity: int = Field(default=100)
    # Provider configuration (base URL, API secret, manual join details); never shown to delegates.
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
