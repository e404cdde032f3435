"""Fuzzing the API from its OpenAPI document with schemathesis: whatever a caller sends, as the
secretariat, the service answers without a 500.

Runs against the real application under uvicorn, on SQLite (what is checked here is the
handling of input, not the database), with a small seeded set of examples per operation so
that it stays well under a minute and fails the same way on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from schemathesis import GenerationMode
from schemathesis.schemas import APIOperation
from sqlalchemy import Engine, create_engine, update

from service import migrations
from service.app import create_app
from service.auth.models import ApiToken
from service.db import make_engine, session_scope
from service.directory.service import seed_member_countries
from service.settings import Settings
from tests.conftest import make_token
from tests.dates import MovableClock
from tests.integration.calendar_network import book_session, build_calendar_network
from tests.support.live_app import serving

EXAMPLES_PER_OPERATION = 5

# The document only: an application that never connects to its (in-memory) database.
_described = create_app(Settings(database_url="sqlite://"), engine=create_engine("sqlite://"))
schema = schemathesis.openapi.from_dict(_described.openapi_schema.to_schema())
# By label ("POST /api/v1/sessions"): each operation is a test of its own, with an id of its own
# (schemathesis's own parametrization gives every operation the same node id, which pytest-xdist
# folds into one test).
OPERATIONS = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


def _cases(operation: APIOperation) -> st.SearchStrategy[schemathesis.Case]:
    """Valid input and invalid input alike."""
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


@dataclass(frozen=True)
class LiveApi:
    base_url: str
    headers: dict[str, str]  # the secretariat's
    engine: Engine

    def unrevoke(self) -> None:
        """Gives the token back when a case revoked it (POST /me/tokens/{id}/revoke with its
        id), so that the cases after it are not all refused."""
        with session_scope(self.engine) as db:
            db.execute(update(ApiToken).values(revoked_at=None))


@pytest.fixture(scope="module")
def live_api(database_url_factory: Callable[[str, str], str]) -> Iterator[LiveApi]:
    """The application served, with a session (invitees, joining details, a bridge) to find."""
    engine = make_engine(database_url_factory("sqlite", "fuzz"))
    migrations.upgrade(engine)
    with session_scope(engine) as db:
        seed_member_countries(db)
    headers = {"Authorization": f"Bearer {make_token(engine, 'secretariat')}"}
    settings_ = Settings(database_url=str(engine.url), log_requests=False)
    app = create_app(settings_, engine=engine, clock=MovableClock())
    with TestClient(app=app) as client:
        world = build_calendar_network(client, headers, MovableClock())
        book_session(client, headers, world, [world.anan, world.wei])
    with serving(app) as base_url:
        yield LiveApi(base_url, headers, engine)
    engine.dispose()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_input_makes_a_500(label: str, live_api: LiveApi) -> None:
    @given(case=_cases(OPERATIONS[label]))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers_without_a_500(case: schemathesis.Case) -> None:
        # Always the secretariat's token, whatever the case made up: wrong tokens would only be
        # refused (401, then 429 under the abuse limits) before any handler sees the input.
        case.headers = {**(case.headers or {}), **live_api.headers}
        response = case.call(base_url=live_api.base_url, timeout=30)
        live_api.unrevoke()
        assert response.status_code < 500, (
            f"{label} answered {response.status_code}: {response.text[:500]}\n"
            f"reproduce: {case.as_curl_command()}"
        )

    answers_without_a_500()
