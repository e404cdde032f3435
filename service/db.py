"""Engine and sessions, the one UTC datetime type, and the constraint naming convention."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

# Stable constraint names so that Alembic migrations match on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    """When a row changed (created_at, updated_at); decisions ask the `service.clock.Clock`."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both databases.

    SQLite has no time zone support and drops tzinfo; PostgreSQL returns the session's zone.
    Naive datetimes are refused because their meaning is ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Take over transaction control so that `BEGIN IMMEDIATE` can serialize writers.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


READ_ONLY = "vdo_read_only"


def _begin_sqlite(connection: Any) -> None:
    # SQLite transactions take the write lock up front: writes are serialized, so two
    # concurrent bookings cannot both pass the overlap check (docs/operations.md). Work that
    # only reads (feeds, GET requests, token look-ups) says so through `read_only` and does not
    # queue behind writers.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that never write."""
    return engine.execution_options(**{READ_ONLY: True})


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long a request waits on the database before it gives up with a 503.

    Without these a PostgreSQL server that accepts connections but never answers holds each
    request (and its worker thread) for minutes, until no thread is left even for `/health`.
    """

    connect_seconds: int = 5  # opening a connection (psycopg counts at least 2)
    statement_seconds: int = 15  # one statement on PostgreSQL, lock waits included
    pool_seconds: int = 10  # waiting for a free connection in the pool


def make_engine(database_url: str, timeouts: DatabaseTimeouts | None = None) -> Engine:
    timeouts = timeouts or DatabaseTimeouts()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 15},
            pool_timeout=timeouts.pool_seconds,
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=timeouts.pool_seconds,
        connect_args={
            "connect_timeout": timeouts.connect_seconds,
            "options": f"-c statement_timeout={timeouts.statement_seconds * 1000}",
        },
    )


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
