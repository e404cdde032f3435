"""Users, passwords and API tokens. Plain functions over a SQLModel session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from service.auth.models import ApiToken, Role, User
from service.db import utcnow
from service.errors import Conflict, NotFound, invalid_field

TOKEN_PREFIX = "vdo_"
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no brute force is possible).
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_hex, digest_hex = stored.split("$")
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1)
    return hmac.compare_digest(digest.hex(), digest_hex)


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    person_id: int | None = None,
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise invalid_field("email", f"{email!r} is not an email address")
    if role not in Role.__members__:
        raise invalid_field("role", f"{role!r} is not a role; use one of {', '.join(Role)}")
    if db.exec(select(User).where(User.email == email)).first():
        raise Conflict(f"A user with email {email} already exists.")
    if password is not None and len(password) < 10:
        raise invalid_field("password", "must be at least 10 characters")
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        person_id=person_id,
        password_hash=hash_password(password) if password else None,
    )
    db.add(user)
    db.flush()
    return user


def issue_token(db: Session, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Create a token; the plain token is returned here only and cannot be read back later."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None  # flushed when created
    api_token = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label)
    db.add(api_token)
    db.flush()
    return api_token, token


def user_for_token(db: Session, token: str, now: datetime) -> User | None:
    row = db.exec(
        select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if row is None:
        return None
    api_token, user = row
    if not user.active:
        return None
    # Recorded to the minute-ish, not on every request: a write per API call would queue every
    # request behind SQLite's write lock for a value people read in days.
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        api_token.last_used_at = now
        db.add(api_token)
    return user


def revoke_token(db: Session, user: User, token_id: int) -> None:
    api_token = db.get(ApiToken, token_id)
    if api_token is None or (api_token.user_id != user.id and user.role != Role.admin):
        raise NotFound(f"No token {token_id}.")
    api_token.revoked_at = api_token.revoked_at or utcnow()
    db.add(api_token)
