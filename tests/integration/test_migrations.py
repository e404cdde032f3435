"""Migrations: upgrade head and downgrade base on each backend; no drift from the models."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0013_corrects_the_seeded_hours_but_keeps_what_staff_edited(
    backend: str, database_url_factory
) -> None:
    from tests.conftest import BACKENDS

    if backend not in BACKENDS:
        pytest.skip(f"{backend} not in VDO_TEST_DATABASES")
    engine = make_engine(database_url_factory(backend, "hours-fix"))
    old_id = {d: [["07:30", "12:00"], ["13:00", "16:00"]] for d in ("mon", "tue", "wed", "thu")}
    old_id |= {"fri": [["07:30", "11:30"], ["13:00", "16:00"]], "sat": [], "sun": []}
    old_state = {d: [["08:00", "13:00"], ["14:00", "17:00"]] for d in ("sun", "mon", "tue")}
    old_state |= {d: [["08:00", "13:00"], ["14:00", "17:00"]] for d in ("wed", "thu")}
    old_state |= {"fri": [], "sat": []}
    edited = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    try:
        migrations.upgrade(engine, "0006")
        with engine.begin() as connection:
            insert = text(
                "INSERT INTO country (code, name, is_member, capital_zone, zones, office_hours,"
                " subdivision_hours, hours_note, holiday_code, updated_at) VALUES (:code, :code,"
                " true, 'Asia/Jakarta', '[]', :hours, :states, '', :code, '2026-01-01 00:00:00')"
            )
            connection.execute(insert, {"code": "ID", "hours": json.dumps(old_id), "states": "{}"})
            states = {"02": old_state, "05": edited}
            connection.execute(
                insert, {"code": "MY", "hours": json.dumps(edited), "states": json.dumps(states)}
            )
        migrations.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT code, office_hours, subdivision_hours FROM country ORDER BY code")
            ).all()
        hours = {code: (_json(week), _json(subdivisions)) for code, week, subdivisions in rows}
        assert hours["ID"][0]["fri"] == [["07:30", "11:30"], ["13:00", "16:30"]]
        assert hours["MY"][1]["02"]["thu"] == [["08:00", "13:00"], ["14:00", "15:30"]]
        assert hours["MY"][1]["05"] == edited
        assert hours["MY"][0] == edited
    finally:
        engine.dispose()


def _json(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]
