"""Fuzzing the pages: whatever a browser (or anyone posing as one) sends, a page answers without
a 500. The JSON API is fuzzed from its OpenAPI document (`test_fuzzing.py`); the pages are not in
that document, so here each page route of the authorization matrix is called as its well-formed
call with one part spoiled at a time: a path parameter, a form field or a query parameter set to
an awkward value, a field left out, a field nobody asked for.

The values are drawn from a fixed list with a seeded generator, so a failure repeats on every run;
the number of calls per route stays small enough for the suite's budget.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.http.abuse_limits import AbuseLimits
from tests.dates import MovableClock
from tests.integration.test_authorization_matrix import (
    PAGES,
    Call,
    World,
    build_world,
    sign_in_as,
)

pytestmark = pytest.mark.db

AWKWARD = (
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "2026-02-30",
    "9999-12-31T23:59",
    "0000-01-01",
    "25:61",
    "Asia/Nowhere",
    "\x00",
    "line\r\nbreak: injected",
    "ไทย ภาษา",
    # Look-alikes, a flag, a zero-width space and a right-to-left override.
    "\u03a9\u02dc\U0001d573\U0001d58a \U0001f1f9\U0001f1ed \u200b\u202e",
    "../../../etc/passwd",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "' OR 1=1 --",
    "%",
    "x" * 5_000,
)
VALUES_PER_PART = 4
SEED = 2026


@dataclass(frozen=True)
class Spoiled:
    """One call: the route's well-formed call with one part replaced."""

    what: str
    params: dict[str, str]
    form: dict[str, Any]
    query: dict[str, str]


def _spoiled_calls(
    rng: random.Random, params: dict[str, str], form: dict[str, Any], query_names: list[str]
) -> Iterator[Spoiled]:
    def values() -> list[str]:
        return rng.sample(AWKWARD, VALUES_PER_PART)

    for name in params:
        for value in values():
            yield Spoiled(f"path {name}={value[:20]!r}", params | {name: value}, form, {})
    for name in form:
        for value in values():
            yield Spoiled(f"field {name}={value[:20]!r}", params, form | {name: value}, {})
        yield Spoiled(f"field {name} left out", params, _without(form, name), {})
    if form:
        yield Spoiled("an unknown field", params, form | {"nobody_asked": "x"}, {})
        yield Spoiled("a repeated field", params, form | {next(iter(form)): ["a", "b"]}, {})
    for name in query_names:
        for value in values():
            yield Spoiled(f"query {name}={value[:20]!r}", params, form, {name: value})


def _without(form: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in form.items() if key != name}


def _query_names(web: TestClient) -> dict[tuple[str, str], list[str]]:
    """The query parameters each page handler reads, by (method, path as PAGES spells it)."""
    found: dict[tuple[str, str], list[str]] = {}
    for route in web.app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            params = handler.parsed_fn_signature.parameters
            names = [
                getattr(parameter.kwarg_definition, "query", None) or name
                for name, parameter in params.items()
                if name not in handler.resolve_dependencies()
                and name not in {"request", "state", "data", "headers", "cookies", "scope"}
                and f"{{{name}}}" not in path
                and not parameter.is_di_field
            ]
            for method in handler.http_methods:
                found[(method, path)] = names
    return found


def _request(world: World, method: str, path: str, call: Call, spoiled: Spoiled, csrf: str) -> int:
    kwargs: dict[str, Any] = {"params": spoiled.query, "follow_redirects": False}
    if method == "POST":
        kwargs["data"] = spoiled.form | {"_csrf_token": csrf}
        if call.files is not None:
            kwargs["files"] = call.files(world)
    # As a browser sends them: percent-encoded, slashes included.
    url = path.format(**{name: quote(value, safe="") for name, value in spoiled.params.items()})
    return world.client.request(method, url, **kwargs).status_code


@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_no_input_makes_a_page_500(
    role: str, web: TestClient, engine: Engine, clock: MovableClock
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("input handling does not depend on the database; SQLite is faster")
    world = build_world(web, engine, web.app.state.settings, clock)
    query_names = _query_names(web)
    rng = random.Random(f"{SEED}-{role}")  # noqa: S311 - repeatable, not secret
    failures: list[str] = []
    calls = 0
    for (method, path), call in sorted(PAGES.items()):
        if call.signs_out:
            continue
        # Spoiled sign-ins count as failures: start each route with a clean slate.
        web.app.state.abuse_limits = AbuseLimits()
        csrf = sign_in_as(web, role)
        params = {name: str(value) for name, value in call.params(world).items()}
        form = call.data(world) if call.data else {}
        for spoiled in _spoiled_calls(rng, params, form, query_names.get((method, path), [])):
            status = _request(world, method, path, call, spoiled, csrf)
            calls += 1
            if status >= 500:
                failures.append(f"{method} {path} with {spoiled.what}: {status}")
    assert calls > 300  # the walk really ran
    assert not failures, "\n".join(failures)
