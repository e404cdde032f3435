"""The base of every JSON request body.

Text with NUL characters is refused up front: PostgreSQL cannot store it and SQLite would, so
letting it through would make the two databases behave differently.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


class RequestBody(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def refuse_nul_characters(cls, data: Any) -> Any:
        if _contains_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data
