"""Users, passwords and API tokens. Plain functions over a SQLModel session."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from service.auth.models import ApiToken, Role, User
from service.auth.passwords import hash_password, verify_and_update
from service.auth.schemas import UserUpdate
from service.db import utcnow
from service.directory.models import Person
from service.email_address import check_email
from service.errors import Conflict, NotFound, invalid_field

TOKEN_PREFIX = "vdo_"  # noqa: S105 - a marker for secret scanners, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no brute force is possible).
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(db: Session, user: User, password: str) -> bool:
    """Whether `password` is the account's; a match against an outdated hash (the old scrypt
    format, or Argon2 of a lower cost) stores a current one.

    The new hash replaces the old only if no one changed it meanwhile, so two sign-ins at once
    cannot overwrite a password set between them."""
    valid, updated = verify_and_update(password, user.password_hash)
    if valid and updated is not None:
        db.execute(
            update(User)
            .where(col(User.id) == user.id, col(User.password_hash) == user.password_hash)
            .values(password_hash=updated)
        )
    return valid


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    person_id: int | None = None,
) -> User:
    email = check_email("email", email)
    if role not in Role.__members__:
        raise invalid_field("role", f"{role!r} is not a role; use one of {', '.join(Role)}")
    if db.exec(select(User).where(User.email == email)).first():
        raise Conflict(f"A user with email {email} already exists.")
    if password is not None and len(password) < 10:
        raise invalid_field("password", "must be at least 10 characters")
    check_person(db, person_id)
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


def check_person(db: Session, person_id: int | None) -> None:
    """An account may only be linked to a person who is in the directory."""
    if person_id is not None and db.get(Person, person_id) is None:
        raise invalid_field("person_id", f"there is no person with id {person_id}")


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def user_by_email(db: Session, email: str) -> User:
    email = email.strip().lower()
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def update_user(
    db: Session, user: User, changes: UserUpdate, *, acting_user_id: int | None
) -> User:
    """Link or unlink the account's person, deactivate or reactivate it.

    A deactivated account's tokens stop working at the next request (the change raises the
    change counter, which makes every process forget the token owners it remembers);
    reactivating brings them back. Administrators cannot deactivate themselves through
    the API (`acting_user_id`; None is the command line), so the last one cannot lock everybody
    out by mistake."""
    if "person_id" in changes.model_fields_set:
        check_person(db, changes.person_id)
        user.person_id = changes.person_id
    if changes.active is not None:
        if not changes.active and user.id == acting_user_id:
            raise invalid_field("active", "you cannot deactivate your own account")
        user.active = changes.active
    db.add(user)
    db.flush()
    return user


def issue_token(db: Session, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Create a token; the plain token is returned here only and cannot be read back later."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None  # noqa: S101 - flushed when created
    api_token = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label)
    db.add(api_token)
    db.flush()
    return api_token, token


def user_for_token(db: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user holding an unrevoked `token`, and the token's row. Only reads."""
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
    return user, api_token


def token_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Use is recorded to the minute-ish, not on every request: a write per API call would
    queue every request behind SQLite's write lock for a value people read in days."""
    return last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION


def record_token_use(db: Session, token_id: int, now: datetime) -> None:
    """Record a use unless a parallel request just did (one conditional UPDATE, no read)."""
    db.exec(
        update(ApiToken)
        .where(col(ApiToken.id) == token_id)
        .where(
            or_(
                col(ApiToken.last_used_at).is_(None),
                col(ApiToken.last_used_at) < now - LAST_USED_RESOLUTION,
            )
        )
        .values(last_used_at=now)
    )


def revoke_token(db: Session, user: User, token_id: int) -> None:
    api_token = db.get(ApiToken, token_id)
    if api_token is None or (api_token.user_id != user.id and user.role != Role.admin):
        raise NotFound(f"No token {token_id}.")
    api_token.revoked_at = api_token.revoked_at or utcnow()
    db.add(api_token)
