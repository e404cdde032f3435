"""Where "now" comes from, for every decision that depends on it.

Booking refuses past starts, series are stored up to a horizon from now, feeds hold a window
back from now, and an API token's last use is recorded at most every few minutes: all of these
ask a `Clock`. The application gets one in `create_app(..., clock=...)` and hands it to handlers
as the `clock` dependency; the command line uses the system clock. Tests give their own, so that
they can move time on without waiting and never depend on today's date.

Row timestamps (created_at, updated_at) record when a change happened, not a decision, and
still come from `service.db.utcnow`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


# Runtime-checkable, since Litestar checks the type of each value a handler is given.
@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, as an aware UTC datetime."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)
