"""Writing news: create, edit, publish or withdraw, delete."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.errors import Conflict, NotFound, field_error
from service.news.models import NewsPost
from service.news.schemas import PostCreate, PostUpdate
from service.request_body import patch_changes

MAX_SLUG = 80
SLUG_ATTEMPTS = 20  # posts with one title written at the very same moment


def slug_from(title: str) -> str:
    """An address from the title's ASCII letters and digits ("news" when there are none, as
    with a Thai title): "ASEAN Pubs meets in Hà Nội" -> "asean-pubs-meets-in-ha-noi"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words)[:MAX_SLUG].strip("-") or "news"


def _free_slug(db: Session, wanted: str) -> str:
    """`wanted`, or with the first free "-2", "-3"... after it."""
    taken = set(
        db.exec(
            select(NewsPost.slug).where(
                or_(col(NewsPost.slug) == wanted, col(NewsPost.slug).startswith(f"{wanted}-"))
            )
        ).all()
    )
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted[: MAX_SLUG - len(str(number)) - 1]}-{number}"


def create_post(db: Session, data: PostCreate, author_id: int | None, now: datetime) -> NewsPost:
    """A new post at its own address. A given slug that is taken is a 409; a slug made from the
    title moves on to the next free one, also when another post takes it at the same moment
    (the unique index refuses the second insert, which then tries again)."""
    if data.slug is not None and _slug_taken(db, data.slug):
        raise _taken(data.slug)
    attempts = 0
    while True:
        attempts += 1
        post = NewsPost(
            slug=data.slug or _free_slug(db, slug_from(data.title)),
            title=data.title,
            body=data.body,
            language=data.language,
            published=data.published,
            published_at=now if data.published else None,
            created_at=now,
            updated_at=now,
            author_id=author_id,
        )
        try:
            with db.begin_nested():
                db.add(post)
                db.flush()
            return post
        except IntegrityError:
            if data.slug is not None or attempts == SLUG_ATTEMPTS:
                raise _taken(post.slug) from None


def _slug_taken(db: Session, slug: str) -> bool:
    return db.exec(select(NewsPost.id).where(NewsPost.slug == slug)).first() is not None


def _taken(slug: str) -> Conflict:
    return Conflict(
        f"A post already has the address /news/{slug}.", errors=[field_error("slug", "taken")]
    )


def post_for_change(db: Session, slug: str) -> NewsPost:
    """The post, locked until the transaction ends, so two edits apply one after the other."""
    post = db.exec(select(NewsPost).where(NewsPost.slug == slug).with_for_update()).first()
    if post is None:
        raise NotFound(f"No news post at /news/{slug}.")
    return post


def update_post(db: Session, slug: str, data: PostUpdate, now: datetime) -> NewsPost:
    changes = patch_changes(data)
    post = post_for_change(db, slug)
    for field, value in changes.items():
        setattr(post, field, value)
    if post.published and post.published_at is None:
        post.published_at = now
    post.updated_at = now
    db.add(post)
    db.flush()
    return post


def delete_post(db: Session, slug: str) -> None:
    db.delete(post_for_change(db, slug))
    db.flush()
