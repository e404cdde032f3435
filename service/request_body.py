"""How every JSON request body is read and checked, in one place.

`JsonBodyRequest` reads the bytes: bodies that are not UTF-8 or nest deeper than any real
request are refused as 400s before they reach a schema (msgspec would raise a UnicodeDecodeError
or RecursionError, which used to become 500s). `RequestBody` is the base of every body schema: it
refuses fields it does not know, so a misspelt field fails by name instead of being ignored, and
text with NUL characters, which PostgreSQL cannot store and SQLite would, so letting it through
would make the two databases behave differently. `ZoneName` and `CountryCode` bound the text
that many bodies share.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from litestar import Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.errors import DomainError, field_error, invalid_field

# Deep enough for every body the API takes (subdivision hours nest five levels), shallow enough
# that nothing reading a body can run out of stack.
MAX_JSON_DEPTH = 20
# JSON bodies are small (a session's description is the longest text); the CSV import allows more.
MAX_JSON_BODY_BYTES = 1_000_000

ZoneName = Annotated[
    str, Field(min_length=1, max_length=64, description="IANA time zone, e.g. Asia/Bangkok")
]
# Upper-cased here, at the edge, so that everything stored compares with the directory's codes.
CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=2),
    Field(description="ISO 3166-1 alpha-2, e.g. TH"),
]


class BadBody(DomainError):
    """The body cannot be read as JSON at all; nothing in it was looked at."""

    def __init__(self, reason: str):
        super().__init__(f"The request body {reason}.", errors=[field_error("body", reason)])


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in decoded JSON, without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in item)
    return deepest


class JsonBodyRequest(Request[Any, Any, Any]):
    """The application's request class: reads JSON bodies as described in the module docstring."""

    async def json(self) -> Any:
        body = await self.body()
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadBody("is not UTF-8 text; send JSON encoded as UTF-8") from None
        too_deep = BadBody(f"is nested more than {MAX_JSON_DEPTH} levels deep")
        try:
            value = await super().json()
        except RecursionError:
            raise too_deep from None
        if nesting_depth(value) > MAX_JSON_DEPTH:
            raise too_deep
        return value


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def refuse_nul_characters(cls, data: Any) -> Any:
        if _contains_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data


def patch_changes(data: BaseModel, *, nullable: Collection[str] = ()) -> dict[str, Any]:
    """The fields a PATCH body sets: at least one (422 otherwise), and null only for the fields
    where null means something (`nullable`), not "leave as is"."""
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        raise invalid_field("body", f"give at least one of {', '.join(type(data).model_fields)}")
    for field, value in changes.items():
        if value is None and field not in nullable:
            raise invalid_field(field, "must not be null")
    return changes
