"""Abuse limits: how many failed attempts one client may make at the secrets that open the
service (passwords, API tokens, private feed URLs and answer links) before it must wait.

Past a limit within its window the client gets 429 with Retry-After (problem+json; the sign-in
form shows the same as a page) and the secret is not even looked up, so guessing costs the
guesser time and the database nothing. A client is its IP address as uvicorn reports it: behind
a reverse proxy that is the caller's only where uvicorn trusts the proxy's X-Forwarded-For
(FORWARDED_ALLOW_IPS, docs/operations.md); otherwise every caller counts as the proxy.

The counting is the `limits` library's moving window in this process's memory: each web process
keeps its own counts (N processes let a client try N times as often) and a restart forgets them.
A deployment that must share them would hand `limits` a shared storage (its Redis or Memcached
storage) instead of `MemoryStorage`; PostgreSQL, the only thing the processes share today, is not
one of them, and a write per failed guess is what these limits exist to avoid.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from litestar.connection import ASGIConnection

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


def client_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else "unknown"


class AbuseLimits:
    """The failure counts of one web process (see the module's docstring)."""

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allows(self, limit: FailureLimit, key: str) -> bool:
        """Whether `key` may try now (the cheap question, for paths that must stay fast)."""
        return bool(self._limiter.test(limit.rate, limit.kind, key))

    def retry_after(self, limit: FailureLimit, key: str) -> int | None:
        """Whole seconds until `key` may try again, or None if it may try now."""
        if self._limiter.test(limit.rate, limit.kind, key):
            return None
        reset_at = self._limiter.get_window_stats(limit.rate, limit.kind, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

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
        self._limiter.hit(limit.rate, limit.kind, key)

    def forget(self, limit: FailureLimit, key: str) -> None:
        """Start `key` afresh (an account after its owner signed in)."""
        self._limiter.clear(limit.rate, limit.kind, key)

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
