"""Request-scoped dependencies shared by every controller."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, TypeAlias

import anyio.to_thread
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlmodel import Session

from service.clock import Clock
from service.db import read_only

Db: TypeAlias = NamedDependency[Session]
"""A handler's `db` parameter: the request's unit of work from `provide_db`."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

AppClock: TypeAlias = NamedDependency[Clock]
"""A handler's `clock` parameter: the application's one clock, from `provide_clock`."""


def provide_clock(state: State) -> Clock:
    """The clock given to `create_app`: every decision that depends on "now" asks it."""
    clock: Clock = state.clock
    return clock


async def provide_db(
    state: State, request: Request[Any, Any, Any]
) -> AsyncGenerator[Session, None]:
    """One unit of work per request: committed when the handler succeeds, else rolled back.

    Safe requests only read, so they never take SQLite's write lock and never queue behind a
    writer; the others take it up front (see `service.db`). Commit and rollback run in a
    worker thread so that database I/O never blocks the event loop.
    """
    engine = read_only(state.engine) if request.method in SAFE_METHODS else state.engine
    db = Session(engine, expire_on_commit=False)
    try:
        yield db
        if db.in_transaction():
            await anyio.to_thread.run_sync(db.commit)
    except BaseException:
        if db.in_transaction():
            await anyio.to_thread.run_sync(db.rollback)
        raise
    finally:
        # A handler answered from memory never began a transaction (nor added a row, which
        # begins one): nothing to end, so no thread.
        if db.in_transaction():
            await anyio.to_thread.run_sync(db.close)
        else:
            db.close()
