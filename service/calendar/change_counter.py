"""What this process knows of the calendar version counter, so that unchanged feeds and repeated
planner requests are answered from memory without asking the database.

The counter (`CalendarVersion`) rises in the transaction of every change to what feeds show or
the planner plans with. A process may trust the value it holds:

- on PostgreSQL, while its listener is connected: every committed change is pushed to every
  process with LISTEN/NOTIFY, so the value is behind only by the time a notification takes;
- on SQLite (one machine, usually one process), for at most `SQLITE_STALENESS` after it was read
  from the database: a change made by another process (the worker, the CLI) is seen within it;
- in either case only until a transaction of this very process raises the counter
  (`LOCAL_CHANGES`): its own changes are seen at once.

Otherwise `known()` says None and the caller reads the counter from the database (`read`).
Values only ever go up, so what is cached under a counter can be older than the database only
while the counter in memory is older too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import timedelta
from typing import Generic, TypeVar

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine
from sqlmodel import col, select

from service.calendar.models import CHANGE_CHANNEL, LOCAL_CHANGES, CalendarVersion

SQLITE_STALENESS = timedelta(seconds=1)
# How long the listener waits for a notification before it checks that its connection lives:
# a connection lost without an error would otherwise leave the process trusting an old value.
LISTENER_HEARTBEAT = timedelta(seconds=10)
LISTENER_RETRY = timedelta(seconds=1)

_COUNTER = select(CalendarVersion.value).where(col(CalendarVersion.id) == 1)

logger = logging.getLogger("vdo.change_counter")
K = TypeVar("K")
V = TypeVar("V")


class ChangeCounter:
    """The counter as this process last knew it, and whether it may still vouch for it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.pushed = engine.dialect.name == "postgresql"
        self._lock = threading.Lock()
        self._value: int | None = None
        self._read_at = float("-inf")  # time.monotonic() just before the value was read
        self._local_changes = -1  # LOCAL_CHANGES.count just before the value was read
        self._listening = False

    def known(self) -> int | None:
        """The counter, if nothing can have changed without this process noticing."""
        value = self._value
        if value is None or self._local_changes != LOCAL_CHANGES.count:
            return None
        if self.pushed:
            return value if self._listening else None
        fresh = time.monotonic() - self._read_at < SQLITE_STALENESS.total_seconds()
        return value if fresh else None

    def current(self, connection: Connection) -> int:
        """The counter: known, else read from the database. Read it before the data it guards:
        if a change lands in between, that data is cached under the older value and read
        again later; newer data never hides under an older value."""
        known = self.known()
        return known if known is not None else self.read(connection)

    def read(self, connection: Connection) -> int:
        """The counter as the database has it now (and remembered)."""
        local_changes, read_at = LOCAL_CHANGES.count, time.monotonic()
        value = connection.execute(_COUNTER).scalar_one()
        self._learn(value, local_changes, read_at)
        return value

    def _learn(self, value: int, local_changes: int, read_at: float) -> None:
        # A slow reader must not take the value back below what a notification already said.
        with self._lock:
            self._value = max(value, self._value if self._value is not None else value)
            self._local_changes = max(local_changes, self._local_changes)
            self._read_at = max(read_at, self._read_at)

    def _stop_trusting(self) -> None:
        self._listening = False

    async def listen(self) -> None:
        """Follow the pushed counter until cancelled (PostgreSQL only), reconnecting after errors;
        while disconnected, `known()` says None and every request asks the database."""
        while True:
            try:
                await self._listen_once()
            except (psycopg.Error, OSError, TimeoutError):
                logger.warning("calendar change listener lost its connection; reconnecting")
            finally:
                self._stop_trusting()
            await asyncio.sleep(LISTENER_RETRY.total_seconds())

    async def _listen_once(self) -> None:
        url = self._engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        async with await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, connect_timeout=5
        ) as connection:
            await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANGE_CHANNEL)))
            # Listening first, then reading: a change committed in between is both read and
            # notified, never neither.
            local_changes, read_at = LOCAL_CHANGES.count, time.monotonic()
            cursor = await connection.execute("SELECT value FROM calendar_version WHERE id = 1")
            row = await cursor.fetchone()
            if row is None:
                raise psycopg.DataError("the calendar_version row is missing")
            self._learn(int(row[0]), local_changes, read_at)
            self._listening = True
            while True:
                async for notification in connection.notifies(
                    timeout=LISTENER_HEARTBEAT.total_seconds()
                ):
                    self._learn(int(notification.payload), -1, float("-inf"))
                await connection.execute("SELECT 1")


class CounterCache(Generic[K, V]):
    """Values read from the database under one value of the change counter, kept while it
    stands still (the first lookup under a newer value forgets them all), least recently used
    first out. Thread-safe: requests read and fill it from worker threads."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._counter = -1
        self._entries: OrderedDict[K, V] = OrderedDict()

    def _under(self, counter: int) -> bool:
        """Whether the entries belong to `counter` (forgetting older ones); hold the lock."""
        if counter > self._counter:
            self._counter = counter
            self._entries.clear()
        return counter == self._counter

    def lookup(self, counter: int, keys: Iterable[K]) -> dict[K, V]:
        with self._lock:
            if not self._under(counter):
                return {}
            found = {key: self._entries[key] for key in keys if key in self._entries}
            for key in found:
                self._entries.move_to_end(key)
            return found

    def store(self, counter: int, values: dict[K, V]) -> dict[K, V]:
        """Keep `values`, read under `counter` (or not, if a newer counter came meanwhile)."""
        with self._lock:
            if self._under(counter):
                self._entries.update(values)
                while len(self._entries) > self._max_entries:
                    self._entries.popitem(last=False)
        return values
