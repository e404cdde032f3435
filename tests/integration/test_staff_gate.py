"""The one gate in front of every staff page: signed out, the sign-in page; signed in but not
staff, 403 with the same refusal everywhere. The routes are read from the application, so a
staff page added later is checked too."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.integration.web_client import PASSWORD, account, form_token, sign_in

pytestmark = pytest.mark.db
REFUSAL = "This page is for secretariat staff."


def _staff_routes(app: Litestar, method: str) -> list[tuple[str, HTTPRouteHandler]]:
    """Each staff page route, its parameters filled with 1: the gate answers before any is read."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/staff"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and method in handler.http_methods:
                found.append((re.sub(r"\{\w+:\w+\}", "1", route.path), handler))
    assert found, f"no staff {method} routes"
    return sorted(found, key=lambda pair: pair[0])


def _as(web: TestClient, engine: Engine, role: str | None) -> str:
    """Signs in as `role` (None: signed out); the form token to post with."""
    if role is not None:
        account(engine, f"{role}@gate.example", role)
        assert sign_in(web, f"{role}@gate.example", PASSWORD).status_code == 303
    return form_token(web)


def test_a_delegate_gets_the_same_refusal_on_every_staff_page(
    web: TestClient, engine: Engine
) -> None:
    _as(web, engine, "delegate")
    wrong = []
    for path, _ in _staff_routes(web.app, "GET"):
        answer = web.get(path, follow_redirects=False)
        if answer.status_code != 403 or REFUSAL not in answer.text:
            wrong.append(f"GET {path}: {answer.status_code} {answer.text[:120]!r}")
    assert not wrong, "\n".join(wrong)
