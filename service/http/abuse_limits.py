"""Abuse limits: how many failed attempts one client may make at the secrets that open the
service (passwords, API tokens, private feed URLs and answer links) before it must wait.

Past a limit within its window the client gets 429 with Retry-After (problem+json; the sign-in
form shows the same as a page) and the secret is not even looked up, so guessing costs the
guesser time and the database nothing. A client is its IP address as uvicorn reports it: behind
a reverse proxy that is the caller's only where uvicorn trusts the proxy's X-Forwarded-For
(FORWARDED_ALLOW_IPS, docs/operations.md); otherwise every caller counts as the proxy.

The counting is the `limits` library's moving window in this process's memory, which every
attempt asks (no database on the way to a good secret). On PostgreSQL, where several processes
serve, each failure is also written to `failed_attempt` (`SharedFailures`) and counted over every
process: once the shared count reaches a limit, the process that saw the last failure refuses
that key for the limit's window, from memory. So N processes let a client fail at most N - 1
times more than one would (each lets one more failure through before it learns of the shared
count), not N times as often; only failures are written, and only up to that bound per window.
On SQLite the service is one process and the counts stay in memory.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from litestar.connection import ASGIConnection
from sqlalchemy import Engine, delete, func, insert, select
from sqlmodel import col

from service.auth.models import FailedAttempt
from service.errors import NotFound, TooManyAttempts


@dataclass(frozen=True)
class FailureLimit:
    """At most `rate` failures per key (a client, or an account) of one kind of attempt."""

    kind: str  # names the attempts in the refusal, and separates the counts
    rate: RateLimitItem


# Sized for people, not scripts: an office behind one address where several calendars still
# poll a replaced feed URL stays well below them; a guesser is slowed to a crawl.
SIGN_IN_PER_CLIENT = FailureLimit("sign-in", parse("20 per 15 minutes"))
SIGN_IN_PER_ACCOUNT = FailureLimit("sign-in", parse("5 per 15 minutes"))
API_TOKEN = FailureLimit("API token", parse("30 per 10 minutes"))
FEED_LINK = FailureLimit("private feed link", parse("60 per 10 minutes"))
ANSWER_LINK = FailureLimit("answer link", parse("30 per 10 minutes"))


LIMITS = (SIGN_IN_PER_CLIENT, SIGN_IN_PER_ACCOUNT, API_TOKEN, FEED_LINK, ANSWER_LINK)
KEPT = timedelta(seconds=max(limit.rate.get_expiry() for limit in LIMITS))
MAX_REFUSED_KEYS = 10_000


class SharedFailures:
    """Failures as every process has seen them, in the database they share (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, limit: FailureLimit, key: str) -> int:
        """Write one failure; how many of its kind `key` has made within the limit's window,
        over every process. Rows older than the longest window go on the way."""
        window = timedelta(seconds=limit.rate.get_expiry())
        # The database's clock: every process counts the same window, whatever its own says.
        now = func.now()
        of_key = (col(FailedAttempt.kind) == limit.kind) & (col(FailedAttempt.key) == key)
        with self._engine.begin() as connection:
            connection.execute(delete(FailedAttempt).where(col(FailedAttempt.at) < now - KEPT))
            connection.execute(insert(FailedAttempt).values(kind=limit.kind, key=key, at=now))
            counted = select(func.count()).where(of_key, col(FailedAttempt.at) > now - window)
            return int(connection.execute(counted).scalar_one())

    def forget(self, limit: FailureLimit, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(FailedAttempt).where(
                    col(FailedAttempt.kind) == limit.kind, col(FailedAttempt.key) == key
                )
            )


def client_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else "unknown"


class AbuseLimits:
    """The failure counts of one web process, and with `shared` those of every process (see the
    module's docstring)."""

    def __init__(self, shared: SharedFailures | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._shared = shared
        # (kind, key) -> time.time() until which the shared count refuses it.
        self._refused_until: dict[tuple[str, str], float] = {}

    def allows(self, limit: FailureLimit, key: str) -> bool:
        """Whether `key` may try now (the cheap question, for paths that must stay fast)."""
        return self.retry_after(limit, key) is None

    def retry_after(self, limit: FailureLimit, key: str) -> int | None:
        """Whole seconds until `key` may try again, or None if it may try now."""
        now = time.time()
        until = self._refused_until.get((limit.kind, key), now)
        if not self._limiter.test(limit.rate, limit.kind, key):
            reset_at = self._limiter.get_window_stats(limit.rate, limit.kind, key).reset_time
            until = max(until, reset_at)
        return max(1, math.ceil(until - now)) if until > now else None

    def check(self, limit: FailureLimit, key: str) -> None:
        """Refuse with TooManyAttempts while `key` is over the limit."""
        wait = self.retry_after(limit, key)
        if wait is not None:
            raise TooManyAttempts(
                f"Too many failed {limit.kind} attempts from your address. "
                f"Try again in {wait} seconds.",
                retry_after=wait,
            )

    def failed(self, limit: FailureLimit, key: str) -> None:
        """Count a failure (call it from a worker thread: with `shared` it writes)."""
        self._limiter.hit(limit.rate, limit.kind, key)
        if self._shared is not None and self._shared.record(limit, key) >= limit.rate.amount:
            now = time.time()
            if len(self._refused_until) >= MAX_REFUSED_KEYS:  # rare: keep only the current
                self._refused_until = {k: t for k, t in self._refused_until.items() if t > now}
            self._refused_until[(limit.kind, key)] = now + limit.rate.get_expiry()

    def forget(self, limit: FailureLimit, key: str) -> None:
        """Start `key` afresh (an account after its owner signed in)."""
        self._limiter.clear(limit.rate, limit.kind, key)
        self._refused_until.pop((limit.kind, key), None)
        if self._shared is not None:
            self._shared.forget(limit, key)

    @contextmanager
    def looking_up(self, limit: FailureLimit, key: str) -> Iterator[None]:
        """A look-up of a secret from a link: refused while over the limit, and a NotFound (no
        such feed, no such answer link) counted as a failure."""
        self.check(limit, key)
        try:
            yield
        except NotFound:
            self.failed(limit, key)
            raise
