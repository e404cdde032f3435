"""Bearer-token authentication for `/api/v1` and role guards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import Engine

from service.auth.models import Role
from service.auth.principal import Principal
from service.auth.service import record_token_use, token_use_due, user_for_token
from service.db import read_only, session_scope
from service.http.abuse_limits import API_TOKEN, AbuseLimits, client_of

AuthenticatedRequest = Request[Principal, str, State]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = _bearer_token(connection.headers.get("authorization", ""))
        principal = await anyio.to_thread.run_sync(
            _caller, connection.app.state, token, client_of(connection)
        )
        return AuthenticationResult(user=principal, auth=token)


def _bearer_token(header: str) -> str:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(
            "This API needs a token: send 'Authorization: Bearer <token>' "
            "(create one with `vdo user create`)."
        )
    return token.strip()


def _caller(state: State, token: str, client: str) -> Principal:
    # Only a token that was sent counts as a failure: a missing header is no guess.
    limits: AbuseLimits = state.abuse_limits
    limits.check(API_TOKEN, client)
    principal = _principal_for_token(state.engine, token, state.clock.now())
    if principal is None:
        limits.failed(API_TOKEN, client)
        raise NotAuthorizedException("The token is unknown, revoked or its user disabled.")
    return principal


# For handlers anyone may call, where a token shows more: `opt=READABLE_BY_ANYONE` skips the
# token middleware, and `security=TOKEN_OPTIONAL` says so in the API document.
READABLE_BY_ANYONE = {"exclude_from_auth": True}
TOKEN_OPTIONAL: list[dict[str, list[str]]] = [{}]


def caller_is_staff(request: Request[Any, Any, State]) -> bool:
    caller = optional_caller(request)
    return caller is not None and caller.is_staff


def optional_caller(request: Request[Any, Any, State]) -> Principal | None:
    """Who calls an endpoint that anyone may read and a token shows more of (handlers marked
    `exclude_from_auth`): None without a token; a token that is sent must be good (401)."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    return _caller(request.app.state, _bearer_token(header), client_of(request))


def _principal_for_token(engine: Engine, token: str, now: datetime) -> Principal | None:
    # Looking the token up only reads, so it never waits for SQLite's write lock; recording
    # its use (rarely due) is a write transaction of its own.
    with session_scope(read_only(engine)) as db:
        found = user_for_token(db, token)
    if found is None:
        return None
    user, api_token = found
    if token_use_due(api_token, now) and api_token.id is not None:
        with session_scope(engine) as db:
            record_token_use(db, api_token.id, now)
    assert user.id is not None  # noqa: S101 - a stored row has an id
    return Principal(user.id, user.email, user.role, user.person_id)


def is_options_request(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """OPTIONS only lists allowed methods: the middleware lets it through without a user."""
    return connection.scope.get("method") == "OPTIONS"


def staff_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if is_options_request(connection):
        return
    if not connection.user.is_staff:
        raise PermissionDeniedException("Only secretariat staff and administrators may do this.")


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if is_options_request(connection):
        return
    if connection.user.role != Role.admin:
        raise PermissionDeniedException("Only administrators may do this.")
