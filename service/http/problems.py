"""Errors in their RFC 9457 problem-details form: the HTTP edge of `service.errors`.

`problem_handlers` turns domain errors, and Litestar's own validation and HTTP errors and the
database's refusals, into `application/problem+json` responses.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from service.errors import DomainError, TooManyAttempts, field_error

PROBLEM_MEDIA_TYPE = "application/problem+json"
# What a 503 tells clients to wait before trying again: about one connect timeout.
DATABASE_RETRY_AFTER_SECONDS = 5


def _problem(
    request: Request[Any, Any, Any],
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.url.path
    body.update({key: value for key, value in extra.items() if value not in (None, [], {})})
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return _problem(request, exc.status_code, exc.title, exc.detail, errors=exc.errors, **exc.extra)


def _too_many_attempts(
    request: Request[Any, Any, Any], exc: TooManyAttempts
) -> Response[dict[str, Any]]:
    response = _domain_error(request, exc)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


# Pydantic's words for what a person did wrong, in ours.
_UNKNOWN_FIELD = "Extra inputs are not permitted"
_VALUE_ERROR_PREFIX = "Value error, "


def _reason_in_words(message: str) -> str:
    if message == _UNKNOWN_FIELD:
        return "unknown field; check its spelling against the API schema at /schema"
    return message.removeprefix(_VALUE_ERROR_PREFIX)


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append(
                field_error(
                    str(item.get("key") or item.get("source") or "body"),
                    _reason_in_words(str(item.get("message", "invalid value"))),
                )
            )
    if errors:
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    elif "JSON" in str(exc.detail) or "decode" in str(exc.detail).lower():
        detail = "The request body is not valid JSON."
    else:
        detail = str(exc.detail)
    return _problem(request, 400, "Invalid request", detail, errors=errors)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    detail = str(exc.detail)
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size()
        detail = f"The request body may be at most {limit:,} bytes."
    return _problem(request, exc.status_code, _reason(exc.status_code), detail)


def _out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # Ids beyond 64 bits (SQLite), dates past year 9999.
    return _problem(
        request, 400, "Invalid request", "A number or date in the request is out of range."
    )


def _unstorable(request: Request[Any, Any, Any], exc: DataError) -> Response[dict[str, Any]]:
    # PostgreSQL's words are plain ("integer out of range", "... cannot contain NUL").
    reason = str(exc.orig).splitlines()[0] if exc.orig else "invalid value"
    return _problem(
        request, 400, "Invalid request", f"A value in the request cannot be stored: {reason}."
    )


def _integrity_error(
    request: Request[Any, Any, Any], exc: IntegrityError
) -> Response[dict[str, Any]]:
    # The services check uniqueness and references first; this is the race they cannot see.
    return _problem(
        request,
        409,
        "Conflict",
        "The change conflicts with data saved a moment ago (a duplicate or a removed "
        "reference); reload and try again.",
    )


def _database_unavailable(
    request: Request[Any, Any, Any], exc: OperationalError | PoolTimeoutError
) -> Response[dict[str, Any]]:
    # Unreachable, not answering within the timeouts, or (SQLite) locked for too long: the
    # transaction was rolled back, and the same request will likely work in a moment.
    reason = str(exc.orig).splitlines()[0] if isinstance(exc, OperationalError) else str(exc)
    request.logger.warning("database unavailable on %s: %s", request.url.path, reason)
    return _problem(
        request,
        503,
        "Service unavailable",
        "The database is not answering right now, so the request changed nothing. "
        f"Please try again in {DATABASE_RETRY_AFTER_SECONDS} seconds.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def _unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    request.logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return _problem(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        "Something went wrong on our side; the request changed nothing. Please try again.",
    )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


problem_handlers: ExceptionHandlersMap = {
    DomainError: _domain_error,
    TooManyAttempts: _too_many_attempts,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    OverflowError: _out_of_range,
    DataError: _unstorable,
    IntegrityError: _integrity_error,
    OperationalError: _database_unavailable,
    PoolTimeoutError: _database_unavailable,
    Exception: _unexpected_error,
}
