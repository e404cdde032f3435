"""Bearer-token authentication for `/api/v1` and role guards."""

from __future__ import annotations

from dataclasses import dataclass
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
from service.auth.service import (
    hash_token,
    record_token_use,
    token_use_due,
    user_for_token,
)
from service.calendar.change_counter import ChangeCounter, CounterCache
from service.db import read_only, session_scope
from service.http.abuse_limits import API_TOKEN, AbuseLimits, client_of

AuthenticatedRequest = Request[Principal, str, State]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = _bearer_token(connection.headers.get("authorization", ""))
        state = connection.app.state
        client = client_of(connection)
        principal = _remembered_caller(state, token, client)
        if principal is None:
            principal = await anyio.to_thread.run_sync(_caller, state, token, client)
        return AuthenticationResult(user=principal, auth=token)


@dataclass(frozen=True)
class TokenOwner:
    """Whom a good token speaks for, and when its use was last recorded."""

    principal: Principal
    last_used_at: datetime | None


class TokenOwners(CounterCache[str, TokenOwner]):
    """Good tokens (by their SHA-256, never the token) and their owners, under one value of the
    change counter: revoking a token, deactivating its user or changing the user's role or
    person raises the counter (`service.calendar.models`), so a request answered from here
    never acts for a token or role that is gone. Without it, every API request would look its
    token up in the database, in a worker thread, before anything else."""


def _bearer_token(header: str) -> str:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(
            "This API needs a token: send 'Authorization: Bearer <token>' "
            "(create one with `vdo user create`)."
        )
    return token.strip()


def _remembered_caller(state: State, token: str, client: str) -> Principal | None:
    """The token's owner from memory, if the counter is known and its use needs no record
    (both cheap enough for the event loop); None sends the caller to the database."""
    counter: ChangeCounter = state.change_counter
    value = counter.known()
    if value is None:
        return None
    owners: TokenOwners = state.token_owners
    token_hash = hash_token(token)
    owner = owners.lookup(value, [token_hash]).get(token_hash)
    if owner is None or token_use_due(owner.last_used_at, state.clock.now()):
        return None
    limits: AbuseLimits = state.abuse_limits
    limits.check(API_TOKEN, client)
    return owner.principal


def _caller(state: State, token: str, client: str) -> Principal:
    # Only a token that was sent counts as a failure: a missing header is no guess.
    limits: AbuseLimits = state.abuse_limits
    limits.check(API_TOKEN, client)
    owner = _owner_from_database(state, token, state.clock.now())
    if owner is None:
        limits.failed(API_TOKEN, client)
        raise NotAuthorizedException("The token is unknown, revoked or its user disabled.")
    return owner.principal


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
    state, token, client = request.app.state, _bearer_token(header), client_of(request)
    return _remembered_caller(state, token, client) or _caller(state, token, client)


def _owner_from_database(state: State, token: str, now: datetime) -> TokenOwner | None:
    # Looking the token up only reads, so it never waits for SQLite's write lock; recording
    # its use (rarely due) is a write transaction of its own.
    engine: Engine = state.engine
    counter: ChangeCounter = state.change_counter
    with session_scope(read_only(engine)) as db:
        # Read before the token: a revocation landing in between leaves the owner under the
        # older value, which the next request no longer trusts.
        value = counter.current(db.connection())
        found = user_for_token(db, token)
    if found is None:
        return None
    user, api_token = found
    assert user.id is not None  # noqa: S101 - a stored row
    assert api_token.id is not None  # noqa: S101 - a stored row
    last_used_at = api_token.last_used_at
    if token_use_due(last_used_at, now):
        with session_scope(engine) as db:
            record_token_use(db, api_token.id, now)
        last_used_at = now
    owner = TokenOwner(Principal(user.id, user.email, user.role, user.person_id), last_used_at)
    owners: TokenOwners = state.token_owners
    owners.store(value, {api_token.token_hash: owner})
    return owner


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
