"""Who is signed in to the pages, and signing in: the session cookie holds the user's id, and
each request looks the account up again, so a deactivated account is signed out at once."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from service.auth.models import User
from service.auth.passwords import hash_password, verify_and_update
from service.auth.principal import Principal
from service.auth.service import check_password
from service.db import read_only

SESSION_USER_KEY = "user_id"
_VIEWER = "vdo_viewer"  # in the request's scope state


def signed_in(db: Session, request: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The signed-in, still active user of this request, if any.

    Looked up once a request and kept in its scope: the staff gate (`staff_access.staff_gate`)
    looks before the handler does, in a session of its own, and a refusal's page (`reader`)
    shows the reader's own navigation without looking again."""
    state = request.state
    if _VIEWER not in state:
        state[_VIEWER] = _look_up(db, request)
    viewer: Principal | None = state[_VIEWER]
    return viewer


def reader(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """`signed_in` where no handler's session is at hand (a refusal's page): in a short session
    of its own, when no page code looked the user up already. A refusal is still shown, as to
    someone signed out, if the database cannot say who reads.

    Exception handlers are synchronous, so this lookup (one row by its key, only for a reader
    whose session names a user) runs on the event loop; refusals are rare enough for that."""
    try:
        with Session(read_only(connection.app.state.engine)) as db:
            return signed_in(db, connection)
    except SQLAlchemyError:
        return None


def _look_up(db: Session, request: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user_id = request.session.get(SESSION_USER_KEY) if request.session else None
    if not isinstance(user_id, int):
        return None
    user = db.get(User, user_id)
    if user is None or not user.active or user.id is None:
        return None
    return Principal(user.id, user.email, user.role, user.person_id)


@cache
def _decoy_hash() -> str:
    return hash_password("not anyone's password, only hashed to spend the same time")


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The active account with this email and password, else None.

    An unknown email costs the same Argon2 verification as a wrong password, so the time taken
    does not tell which accounts exist. A match against an outdated hash stores a current one
    (`check_password`)."""
    user = db.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active:
        verify_and_update(password, _decoy_hash())
        return None
    return user if check_password(db, user, password) else None
