"""The one gate in front of every staff page: signed out, the sign-in page; signed in but not
staff, 403 with the same refusal everywhere. The routes are read from the application, so a
staff page added later is checked too."""

from __future__ import annotations

import re

import pytest
from httpx import Response
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient
from pydantic import BaseModel
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


def _malformed(handler: HTTPRouteHandler) -> dict[str, str]:
    """A body that the handler's form refuses: every field far too long, and not a number, a
    date or a choice."""
    model = handler.parsed_fn_signature.parameters["data"].annotation
    assert isinstance(model, type), model
    assert issubclass(model, BaseModel), model
    return {info.alias or name: "x" * 20_000 for name, info in model.model_fields.items()}


def _as(web: TestClient, engine: Engine, role: str | None) -> str:
    """Signs in as `role` (None: signed out); the form token to post with."""
    if role is not None:
        account(engine, f"{role}@gate.example", role)
        assert sign_in(web, f"{role}@gate.example", PASSWORD).status_code == 303
    return form_token(web)


def _post(web: TestClient, path: str, body: dict[str, str], token: str) -> Response:
    return web.post(path, data=body | {"_csrf_token": token}, follow_redirects=False)


def _form_routes(web: TestClient) -> list[tuple[str, dict[str, str]]]:
    return [
        (path, _malformed(handler))
        for path, handler in _staff_routes(web.app, "POST")
        if "data" in handler.parsed_fn_signature.parameters
    ]


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


def test_the_forms_are_malformed_for_staff(web: TestClient, engine: Engine) -> None:
    """The bodies of the tests below are refused as malformed, not for anything else."""
    token = _as(web, engine, "secretariat")
    for path, body in _form_routes(web):
        answer = _post(web, path, body, token)
        assert answer.status_code == 400, f"POST {path}: {answer.status_code}"


@pytest.mark.parametrize(
    ("role", "status", "says"),
    [(None, 200, 'action="/sign-in"'), ("delegate", 403, REFUSAL)],
    ids=["signed-out", "delegate"],
)
def test_a_malformed_staff_form_is_refused_as_a_well_formed_one_is(
    web: TestClient, engine: Engine, role: str | None, status: int, says: str
) -> None:
    """The gate comes before the form is read: someone the page is not for learns nothing of
    the form's checks, and is sent to sign in."""
    token = _as(web, engine, role)
    wrong = []
    for path, body in _form_routes(web):
        answer = _post(web, path, body, token)
        if answer.status_code != status or says not in answer.text:
            wrong.append(f"POST {path}: {answer.status_code} {answer.text[:120]!r}")
    assert not wrong, "\n".join(wrong)
