"""Signing in to the pages through a TestClient, as a browser would: fetch the form (which sets
the CSRF cookie), post it with its token."""

from __future__ import annotations

import re

from httpx import Response
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.auth import service as auth
from service.db import session_scope

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
PASSWORD = "a long enough password"


def account(engine: Engine, email: str, role: str, person_id: int | None = None) -> None:
    """A user who signs in with PASSWORD."""
    with session_scope(engine) as db:
        auth.create_user(
            db, email=email, name=email, role=role, password=PASSWORD, person_id=person_id
        )


def form_token(client: TestClient, path: str = "/sign-in") -> str:
    found = CSRF_INPUT.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str, next_path: str = "/") -> Response:
    token = form_token(client)
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "next": next_path, "_csrf_token": token},
        follow_redirects=False,
    )
