"""Reading news: what the public sees (published posts) and what staff see (drafts too)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.directory.models import Language
from service.errors import NotFound
from service.news.models import NewsPost
from service.news.schemas import PostRead
from service.queries import paginate
from service.rendering.markdown import render_markdown

FEED_ENTRIES = 20


def list_posts(
    db: Session,
    *,
    include_drafts: bool,
    language: Language | None = None,
    limit: int,
    offset: int,
) -> tuple[list[NewsPost], int]:
    """Published posts newest first; with drafts (staff), the drafts lead, last edited first."""
    query = select(NewsPost)
    if not include_drafts:
        query = query.where(col(NewsPost.published).is_(True))
    if language is not None:
        query = query.where(NewsPost.language == language)
    query = query.order_by(
        col(NewsPost.published),
        col(NewsPost.published_at).desc(),
        col(NewsPost.updated_at).desc(),
        col(NewsPost.id).desc(),
    )
    return paginate(db, query, limit, offset)


def get_post(db: Session, slug: str, *, include_drafts: bool) -> NewsPost:
    """The post at /news/{slug}; a draft is "not found" to anyone who may not see drafts."""
    post = db.exec(select(NewsPost).where(NewsPost.slug == slug)).first()
    if post is None or not (post.published or include_drafts):
        raise NotFound(f"No news post at /news/{slug}.")
    return post


def latest_published(db: Session) -> list[NewsPost]:
    posts, _ = list_posts(db, include_drafts=False, limit=FEED_ENTRIES, offset=0)
    return posts


def post_read(post: NewsPost, base_url: str) -> PostRead:
    return PostRead(
        id=post.id or 0,
        slug=post.slug,
        title=post.title,
        body=post.body,
        html=str(render_markdown(post.body)),
        language=post.language,
        published=post.published,
        published_at=post.published_at,
        updated_at=post.updated_at,
        url=f"{base_url.rstrip('/')}/news/{post.slug}",
    )
