"""Reading never queues behind a writer: while another transaction holds the write lock (SQLite)
or locked rows (PostgreSQL), signed-in GET requests answer at once."""

from __future__ import annotations

import time
from datetime import timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine, update
from sqlmodel import col, select

from service.auth.models import ApiToken
from service.auth.service import LAST_USED_RESOLUTION
from service.db import session_scope
from service.directory.models import Country
from tests.dates import MovableClock

PROMPT_SECONDS = 2.0


def test_signed_in_reads_answer_while_a_writer_holds_the_lock(
    client: TestClient, delegate_headers: dict[str, str], engine: Engine
) -> None:
    # The token's first use is recorded now, so the reads below have nothing to write.
    assert client.get("/api/v1/me", headers=delegate_headers).status_code == 200
    with engine.connect() as writer:
        # SQLite: BEGIN IMMEDIATE, the database's one write lock; PostgreSQL: a locked row.
        writer.execute(
            update(Country).where(col(Country.code) == "TH").values(name="Thailand (editing)")
        )
        for path in ("/api/v1/me", "/api/v1/sessions", "/api/v1/countries/TH"):
            started = time.monotonic()
            response = client.get(path, headers=delegate_headers)
            elapsed = time.monotonic() - started
            assert response.status_code == 200, (path, response.text)
            assert elapsed < PROMPT_SECONDS, (path, elapsed)
        writer.rollback()


def test_a_read_still_records_the_tokens_use_once_it_is_due(
    client: TestClient, delegate_headers: dict[str, str], engine: Engine, clock: MovableClock
) -> None:
    assert client.get("/api/v1/me", headers=delegate_headers).status_code == 200
    clock.advance(LAST_USED_RESOLUTION + timedelta(minutes=1))
    assert client.get("/api/v1/countries", headers=delegate_headers).status_code == 200
    with session_scope(engine) as db:
        recorded = db.exec(select(ApiToken.last_used_at)).one()
    assert recorded is not None
    assert abs(recorded - clock.now()) < timedelta(seconds=1)
