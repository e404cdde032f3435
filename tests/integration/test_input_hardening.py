"""Bad input on both databases: a clear 4xx problem naming what is wrong, and nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, select

from service.request_body import MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH
from service.tables import metadata

API = "/api/v1"
JSON = {"Content-Type": "application/json"}


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, except when an API token was last used (reading touches it)."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                repr(row)
                for row in connection.execute(
                    select(*(c for c in table.columns if c.name != "last_used_at"))
                )
            )
            for table in metadata.sorted_tables
        }


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _future(days: int, hour: int = 3) -> datetime:
    start = datetime.now(UTC) + timedelta(days=days)
    return start.replace(hour=hour, minute=0, second=0, microsecond=0)


# --- bodies that are not JSON we can read ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1_000 + b"]" * 1_000,
        b'{"name": "Deep", "email": "deep@example.org", "zone": '
        + b"[" * 1_000
        + b"]" * 1_000
        + b"}",
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    ],
    ids=["array-1000", "field-1000", "object-100000", "just-too-deep"],
)
def test_deeply_nested_json_is_a_400_and_changes_nothing(
    client: TestClient, admin_headers: dict[str, str], engine: Engine, body: bytes
) -> None:
    before = _snapshot(engine)
    response = client.post(f"{API}/people", headers=admin_headers | JSON, content=body)
    problem = _problem(response, 400)
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in problem["detail"]
    assert _snapshot(engine) == before


def test_nesting_that_real_bodies_use_is_accepted(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    # Subdivision hours are the deepest body the API takes: object, object, day, period, time.
    hours = {"02": {"mon": [["08:00", "12:00"], ["13:00", "17:00"]]}}
    response = client.patch(
        f"{API}/countries/MY", headers=admin_headers, json={"subdivision_hours": hours}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\xff\xfe", "email": "x@example.org", "country_code": "TH"}',
        '{"name": "José", "email": "jose@example.org", "country_code": "PH"}'.encode("latin-1"),
        b"\xff",
    ],
    ids=["invalid-bytes", "latin-1", "lone-byte"],
)
def test_a_body_that_is_not_utf8_is_a_400_and_changes_nothing(
    client: TestClient, admin_headers: dict[str, str], engine: Engine, body: bytes
) -> None:
    before = _snapshot(engine)
    response = client.post(f"{API}/people", headers=admin_headers | JSON, content=body)
    problem = _problem(response, 400)
    assert "UTF-8" in problem["detail"]
    assert _snapshot(engine) == before


def test_json_bodies_are_limited_in_size_but_csv_imports_may_be_larger(
    client: TestClient, admin_headers: dict[str, str], engine: Engine
) -> None:
    before = _snapshot(engine)
    padding = " " * MAX_JSON_BODY_BYTES
    big = f'{{"name": "Big", "email": "big@example.org", "country_code": "TH"{padding}}}'
    response = client.post(f"{API}/people", headers=admin_headers | JSON, content=big.encode())
    problem = _problem(response, 413)
    assert f"at most {MAX_JSON_BODY_BYTES:,} bytes" in problem["detail"]
    csv = "surname,mail\n" + "x,y\n" * (MAX_JSON_BODY_BYTES // 4 + 1)
    response = client.post(
        f"{API}/people/import",
        headers=admin_headers | {"Content-Type": "text/csv"},
        content=csv.encode(),
    )
    assert "no name, email column" in _problem(response, 422)["detail"]
    assert _snapshot(engine) == before
