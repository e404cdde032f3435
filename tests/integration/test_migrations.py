"""Migrations: upgrade head and downgrade base on each backend; no drift from the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from service import migrations
from service.db import make_engine
from service.tables import metadata


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_head_then_downgrade_base(backend: str, database_url_factory) -> None:
    from tests.conftest import BACKENDS

    if backend not in BACKENDS:
        pytest.skip(f"{backend} not in VDO_TEST_DATABASES")
    engine = make_engine(database_url_factory(backend, "migrate"))
    try:
        migrations.upgrade(engine)
        assert {"country", "agency", "person", "app_user", "api_token", "bridge"} <= set(
            inspect(engine).get_table_names()
        )
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
        migrations.downgrade(engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
