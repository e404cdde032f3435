"""Failed sign-ins, counted per client and per account, so that passwords cannot be guessed
at speed: past the limit within the window, sign-in answers 429 until the oldest failure ages
out. Counts live in the process (the service runs as one); a restart forgets them."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Past this many keys, those without recent failures are swept out (a spray of made-up
# account names cannot fill the memory).
MAX_KEYS = 10_000


@dataclass
class FailureCounter:
    """At most `limit` failures per key within `window`."""

    limit: int
    window: timedelta
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, key: str, now: datetime) -> timedelta | None:
        """How long `key` must wait before trying again, or None if it may try now."""
        with self._lock:
            recent = self._recent(key, now)
            if len(recent) < self.limit:
                return None
            return recent[0] + self.window - now

    def record_failure(self, key: str, now: datetime) -> None:
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                for known in list(self._failures):
                    self._recent(known, now)  # drops the key when nothing recent is left
            failures = self._recent(key, now)
            failures.append(now)
            self._failures[key] = failures

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        """The key's failures within the window; a key with none left is dropped."""
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures


@dataclass
class SignInThrottle:
    """The two counters sign-in consults: one client may not try many accounts, and many
    clients may not try one account."""

    per_client: FailureCounter = field(
        default_factory=lambda: FailureCounter(limit=20, window=timedelta(minutes=15))
    )
    per_account: FailureCounter = field(
        default_factory=lambda: FailureCounter(limit=5, window=timedelta(minutes=15))
    )

    def retry_after(self, client: str, account: str, now: datetime) -> timedelta | None:
        waits = [
            wait
            for wait in (
                self.per_client.retry_after(client, now),
                self.per_account.retry_after(account.lower(), now),
            )
            if wait is not None
        ]
        return max(waits) if waits else None

    def failed(self, client: str, account: str, now: datetime) -> None:
        self.per_client.record_failure(client, now)
        self.per_account.record_failure(account.lower(), now)

    def succeeded(self, account: str) -> None:
        self.per_account.forget(account.lower())
