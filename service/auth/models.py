"""Accounts, roles and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    secretariat = "secretariat"
    delegate = "delegate"


STAFF_ROLES = frozenset({Role.admin, Role.secretariat})


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is a reserved word in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    role: Role = Field(sa_column=Column(String(20), nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    password_hash: str | None = Field(default=None, max_length=300)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FailedAttempt(SQLModel, table=True):
    """One failed attempt at a secret (a sign-in, an API token, a feed or answer link), kept
    for the longest abuse-limit window so that every web process counts one client's failures
    together (`service.http.abuse_limits`); on PostgreSQL only, where several processes run."""

    __tablename__ = "failed_attempt"
    __table_args__ = (Index("ix_failed_attempt_kind_key_at", "kind", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    key: str = Field(max_length=254)  # a client's address, or an account's email
    at: datetime = Field(sa_type=UTCDateTime)
