"""A sign-in with a password stored in the old scrypt format stores an Argon2 hash instead, on
both databases; a wrong password changes nothing."""

from __future__ import annotations

from sqlalchemy import Engine

from service.auth import service as auth
from service.auth.models import User
from service.db import session_scope
from tests.support.passwords import OLD_PASSWORD, OLD_SCRYPT_HASH


def _stored_hash(engine: Engine, user_id: int) -> str | None:
    with session_scope(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        return user.password_hash


def test_signing_in_with_an_old_hash_replaces_it_with_argon2(engine: Engine) -> None:
    old = OLD_SCRYPT_HASH
    with session_scope(engine) as db:
        user = auth.create_user(db, email="old@example.org", name="Old", role="delegate")
        user.password_hash = old
        db.add(user)
        db.flush()
        user_id = user.id
    assert user_id is not None

    with session_scope(engine) as db:
        assert not auth.check_password(db, auth.get_user(db, user_id), "wrong horse battery")
    assert _stored_hash(engine, user_id) == old

    with session_scope(engine) as db:
        assert auth.check_password(db, auth.get_user(db, user_id), OLD_PASSWORD)
    new = _stored_hash(engine, user_id)
    assert new is not None
    assert new.startswith("$argon2id$")

    with session_scope(engine) as db:
        assert auth.check_password(db, auth.get_user(db, user_id), OLD_PASSWORD)
    assert _stored_hash(engine, user_id) == new


def test_new_accounts_get_argon2_hashes(engine: Engine) -> None:
    with session_scope(engine) as db:
        user = auth.create_user(
            db, email="new@example.org", name="New", role="delegate", password=OLD_PASSWORD
        )
        assert (user.password_hash or "").startswith("$argon2id$")
        assert auth.check_password(db, user, OLD_PASSWORD)
