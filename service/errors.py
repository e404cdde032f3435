"""Domain errors: refusals a person can act on, raised by the services.

Plain exceptions with no HTTP types, so that the services, the CLI and the worker share them;
`service.http.problems` turns them into RFC 9457 `application/problem+json` responses at the edge.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a person can act on. `errors` lists field-level reasons."""

    status_code = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class InvalidInput(DomainError):
    status_code = 422
    title = "Invalid input"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


class UpstreamError(DomainError):
    """A service we depend on (a video provider) failed; nothing was changed."""

    status_code = 502
    title = "Video provider error"


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class TooManyAttempts(DomainError):
    """Too many failed attempts from one client (`service.http.abuse_limits`)."""

    status_code = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


def field_error(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "reason": reason}


def invalid_field(field: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{field}: {reason}", errors=[field_error(field, reason)])
