"""Alembic environment: targets SQLModel.metadata; the URL comes from the caller or VDO_*."""

from __future__ import annotations

from sqlalchemy import Engine

from alembic import context
from service.db import make_engine
from service.settings import Settings
from service.tables import metadata

config = context.config


def _engine() -> Engine:
    # `vdo db upgrade` and the tests hand over their engine; the alembic CLI builds one.
    given = config.attributes.get("engine")
    return given if given is not None else make_engine(Settings.from_env().database_url)


def run_migrations_offline() -> None:
    context.configure(
        url=Settings.from_env().database_url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
