"""Identity and versions of what calendars hold: UIDs, REVISION and the iCalendar SEQUENCE.

Every change of a session goes through `record_change`, the one place that raises REVISION (the
API's optimistic lock) and, for changes of time or status, SEQUENCE (RFC 5545 3.8.7.4), so that
calendar clients take the update.
"""

from __future__ import annotations

import secrets

from service.db import utcnow
from service.scheduling.models import (
    Series,
    VdoSession,
)

UID_DOMAIN = "aseanpubs-vdo"


def new_uid() -> str:
    return f"{secrets.token_hex(16)}@{UID_DOMAIN}"


def record_change(session: VdoSession, *, schedule_changed: bool) -> None:
    """The one place a session's REVISION and iCalendar SEQUENCE are raised (RFC 5545 3.8.7.4)."""
    session.revision += 1
    if schedule_changed:
        session.sequence += 1
    session.updated_at = utcnow()


def record_series_change(series: Series, *, schedule_changed: bool) -> None:
    """The one place a series master's SEQUENCE is raised: when its rule, DTSTART, duration
    or EXDATEs changed, so that calendar clients take the update."""
    if schedule_changed:
        series.sequence += 1
    series.updated_at = utcnow()
