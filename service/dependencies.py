"""Request-scoped dependencies shared by every controller."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TypeAlias

import anyio.to_thread
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlmodel import Session

from service.clock import Clock

Db: TypeAlias = NamedDependency[Session]
"""A handler's `db` parameter: the request's unit of work from `provide_db`."""

AppClock: TypeAlias = NamedDependency[Clock]
"""A handler's `clock` parameter: the application's one clock, from `provide_clock`."""


def provide_clock(state: State) -> Clock:
    """The clock given to `create_app`: every decision that depends on "now" asks it."""
    clock: Clock = state.clock
    return clock


async def provide_db(state: State) -> AsyncGenerator[Session, None]:
    """One unit of work per request: committed when the handler succeeds, else rolled back.

    Commit and rollback run in a worker thread so that database I/O never blocks the event loop.
    """
    db = Session(state.engine, expire_on_commit=False)
    try:
        yield db
        await anyio.to_thread.run_sync(db.commit)
    except BaseException:
        await anyio.to_thread.run_sync(db.rollback)
        raise
    finally:
        await anyio.to_thread.run_sync(db.close)
