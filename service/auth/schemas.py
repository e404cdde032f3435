from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.auth.models import Role
from service.request_body import RequestBody


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    person_id: int | None
    active: bool


class UserCreate(RequestBody):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    person_id: int | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200)


class UserUpdate(RequestBody):
    """What an administrator changes of an account; fields left out stay as they are."""

    active: bool | None = Field(
        default=None, description="false: the account's tokens stop working at once"
    )
    person_id: int | None = Field(
        default=None, description="The directory person the account belongs to; null unlinks"
    )


class TokenCreate(RequestBody):
    label: str = Field(default="", max_length=100)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(BaseModel):
    """Returned once, when the token is made: the token cannot be read back later."""

    id: int
    token: str
    label: str
