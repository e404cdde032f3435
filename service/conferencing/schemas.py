from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.conferencing.models import ProviderKind
from service.request_body import RequestBody


class BridgeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    provider: ProviderKind
    capacity: int
    active: bool


class BridgeWrite(RequestBody):
    name: str = Field(min_length=1, max_length=100)
    provider: ProviderKind
    capacity: int = Field(default=100, ge=2, le=10_000)
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="jitsi: base_url, jwt_app_id, jwt_secret; bigbluebutton: api_url, secret; "
        "manual: join_url, meeting_id, passcode, dial_ins, instructions",
    )
    active: bool = True


class BridgeUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    capacity: int | None = Field(default=None, ge=2, le=10_000)
    settings: dict[str, Any] | None = None
    active: bool | None = None
