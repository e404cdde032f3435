"""Subscription feeds: a person's private feed, each country's feed and the network's feed.

A feed holds its sessions that ended at most `feed_past_days` ago (older ones are trimmed so it
stays small), cancelled ones included as STATUS:CANCELLED until they age out. A series appears
as its master and overrides, built from all its stored occurrences.

Serving is built for calendar clients that poll: one aggregate query gives the feed's *version*
(which changes whenever anything the feed shows changes); the ETag is derived from it, so a
revalidation answers 304 without rendering, and the rendered bytes are kept in-process per
(feed, version), so a changed session re-renders only the feeds it belongs to. While the
calendar version counter stands still (`service.calendar.change_counter`), a poll is answered
from memory on the event loop, without a thread or the database.

Private feed tokens are 256-bit random strings; only their SHA-256 is stored (as for API tokens).
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from functools import cache
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, bindparam, func, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from service.calendar.change_counter import ChangeCounter
from service.calendar.ics import EventData, build_feed
from service.calendar.models import FeedToken
from service.calendar.schemas import FeedLinks, MyFeeds, PersonalFeedState
from service.calendar.service import Joining, series_events, session_event
from service.db import read_only, utcnow
from service.directory.models import Country, Person
from service.directory.service import get_person
from service.errors import NotFound
from service.scheduling.disclosure import Reader
from service.scheduling.models import (
    Series,
    SessionCountry,
    SessionParticipant,
    SessionStatus,
    VdoSession,
)
from service.settings import Settings

FEED_TOKEN_BYTES = 32
PUBLIC_FEED_PATH = "/feeds/public.ics"
# Part of every ETag: raise it when the rendering changes, so clients fetch the new form.
FEED_FORMAT = 1
# What rendering a stored series raises when its row holds something no booking stores today.
_UNRENDERABLE = (ValueError, LookupError, TypeError, ArithmeticError)

logger = logging.getLogger("vdo.feeds")


# --- tokens and URLs -----------------------------------------------------------------------------


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def personal_feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def country_feed_path(code: str) -> str:
    return f"/feeds/countries/{code.upper()}.ics"


def feed_links(settings: Settings, path: str) -> FeedLinks:
    url = settings.base_url + path
    return FeedLinks(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


def issue_feed_token(db: Session, person_id: int) -> tuple[FeedToken, str]:
    """A new private feed URL for the person; the previous one stops working at once."""
    get_person(db, person_id)
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    row = feed_token_of(db, person_id) or FeedToken(person_id=person_id, token_hash="")
    row.token_hash = hash_feed_token(token)
    row.created_at = utcnow()
    db.add(row)
    db.flush()
    return row, token


def revoke_feed_token(db: Session, person_id: int) -> None:
    """Revoke the person's private feed URL (if any); it then answers 404."""
    get_person(db, person_id)
    row = feed_token_of(db, person_id)
    if row is not None:
        db.delete(row)
        db.flush()


def feed_token_of(db: Session, person_id: int) -> FeedToken | None:
    return db.exec(select(FeedToken).where(FeedToken.person_id == person_id)).first()


def feeds_of(db: Session, settings: Settings, person_id: int | None) -> MyFeeds:
    """The feeds a signed-in user can subscribe to (a private URL is only shown when issued)."""
    person = db.get(Person, person_id) if person_id is not None else None
    token = feed_token_of(db, person_id) if person_id is not None else None
    return MyFeeds(
        person_id=person_id,
        personal=PersonalFeedState(
            exists=token is not None, created_at=token.created_at if token else None
        ),
        country=feed_links(settings, country_feed_path(person.country_code)) if person else None,
        public=feed_links(settings, PUBLIC_FEED_PATH),
    )


# --- which sessions a feed holds -----------------------------------------------------------------


class FeedKind(StrEnum):
    person = "person"
    country = "country"
    public = "public"


@dataclass(frozen=True)
class Feed:
    """One feed: what it is about, and its calendar name."""

    kind: FeedKind
    key: str  # the person's id, the country's code, or "" for the network feed
    name: str

    @property
    def joining(self) -> Joining:
        """Country and network feeds are read by anyone; a private feed by its owner, who is
        invited to every session it holds (see `_belongs`)."""
        if self.kind is not FeedKind.person:
            return Joining.for_viewer(None, ())
        owner = int(self.key)
        return Joining.for_viewer(Reader(person_id=owner), {owner})


# The feed's key (person id or country code) and the start of its window are bound per
# request; the statements themselves are built once per kind of feed (building them costs
# more than running them).
_FEED_KEY = "feed_key"
_CUTOFF = "cutoff"


def _belongs(kind: FeedKind, session: type[VdoSession]) -> ColumnElement[bool]:
    """Sessions of the feed, whenever they are (`session` may be an alias of VdoSession).
    Reservations still waiting for their room are not sessions of any feed."""
    booked = col(session.status) != SessionStatus.pending
    if kind is FeedKind.person:
        mine = select(SessionParticipant.session_id).where(
            SessionParticipant.person_id == bindparam(_FEED_KEY)
        )
        return and_(booked, col(session.id).in_(mine))
    if kind is FeedKind.country:
        invited = select(SessionCountry.session_id).where(
            SessionCountry.country_code == bindparam(_FEED_KEY)
        )
        delegates = (
            select(SessionParticipant.session_id)
            .join(Person, col(Person.id) == SessionParticipant.person_id)
            .where(Person.country_code == bindparam(_FEED_KEY))
        )
        return and_(booked, or_(col(session.id).in_(invited), col(session.id).in_(delegates)))
    return booked


def _in_feed(kind: FeedKind) -> ColumnElement[bool]:
    """The rows a feed is rendered from: its sessions that ended after the cutoff, and every
    occurrence of a series that has one of them (the master's EXDATEs need them all)."""
    recent, sibling = aliased(VdoSession), aliased(VdoSession)
    recent_rows = (
        select(recent.id, recent.series_id)
        .where(_belongs(kind, recent), recent.end_utc >= bindparam(_CUTOFF))
        .cte("recent")
    )
    # A union of ids rather than "id IN (...) OR series_id IN (...)": databases answer it from
    # the indexes instead of re-reading the recent rows for each half of the OR.
    siblings = select(sibling.id).where(col(sibling.series_id).in_(select(recent_rows.c.series_id)))
    return col(VdoSession.id).in_(union(select(recent_rows.c.id), siblings))


def _parameters(feed: Feed, cutoff: datetime) -> dict[str, object]:
    if feed.kind is FeedKind.public:
        return {_CUTOFF: cutoff}
    key = int(feed.key) if feed.kind is FeedKind.person else feed.key
    return {_FEED_KEY: key, _CUTOFF: cutoff}


@cache
def _version_query(kind: FeedKind) -> Select[Any]:
    """Counters and latest changes over the rows the feed is rendered from, and the end of
    its most recent session that aged out of the window."""
    aged, ageing = aliased(VdoSession), aliased(VdoSession)
    last_aged_out_end = (
        select(func.max(aged.end_utc))
        .where(_belongs(kind, aged), aged.end_utc < bindparam(_CUTOFF))
        .scalar_subquery()
    )
    next_to_age_out_end = (
        select(func.min(ageing.end_utc))
        .where(_belongs(kind, ageing), ageing.end_utc >= bindparam(_CUTOFF))
        .scalar_subquery()
    )
    columns: list[ColumnElement[Any]] = [
        func.count(col(VdoSession.id)),
        func.coalesce(func.sum(VdoSession.id), 0),
        func.coalesce(func.sum(VdoSession.revision), 0),
        func.coalesce(func.sum(Series.sequence), 0),
        func.max(VdoSession.updated_at),
        func.max(Series.updated_at),
        last_aged_out_end,
        next_to_age_out_end,
    ]
    return (
        select(*columns)
        .select_from(VdoSession)
        .outerjoin(Series, col(Series.id) == VdoSession.series_id)
        .where(_in_feed(kind))
    )


@cache
def _rows_query(kind: FeedKind) -> Select[Any]:
    return (
        select(VdoSession)
        .where(_in_feed(kind))
        .order_by(col(VdoSession.series_id), col(VdoSession.start_utc), col(VdoSession.id))
    )


# --- version, ETag and Last-Modified -------------------------------------------------------------


@dataclass(frozen=True)
class FeedState:
    version: tuple[object, ...]
    etag: str
    last_modified: datetime | None  # whole seconds; None when unknown or not yet settled
    # Even with no change in the database, the state is stale from here on: a session ages out
    # of the window, or a withheld Last-Modified settles.
    expires: datetime | None


def feed_state(
    db: Session, settings: Settings, feed: Feed, cutoff: datetime, now: datetime
) -> FeedState:
    """The feed's version from one aggregate query over the rows it is rendered from.

    Count and sum of ids change when a session joins or leaves the feed (also by ageing out),
    the sum of revisions and the latest `updated_at` when one is edited or cancelled, the
    series columns when a series master changes. Answers (PARTSTAT) are not part of feeds."""
    row = db.connection().execute(_version_query(feed.kind), _parameters(feed, cutoff)).one()
    *counters, session_changed, series_changed, aged_out_end, next_out_end = row
    version = (feed.kind.value, feed.key, feed.name, *counters, session_changed, series_changed)
    window = timedelta(days=settings.feed_past_days)
    changes = [when for when in (session_changed, series_changed) if when is not None]
    if aged_out_end is not None:
        # The feed last changed when its most recent trimmed session left the window.
        changes.append(aged_out_end + window)
    last_modified = _http_last_modified(max(changes), now) if changes else None
    expiries = [now + timedelta(seconds=1)] if changes and last_modified is None else []
    if next_out_end is not None:
        expiries.append(next_out_end + window)
    return FeedState(
        version=version,
        etag=_etag(settings, version),
        last_modified=last_modified,
        expires=min(expiries) if expiries else None,
    )


def _etag(settings: Settings, version: tuple[object, ...]) -> str:
    # The settings that appear in the bytes are part of it, so that changing them (and
    # restarting) makes clients fetch the feed again.
    rendered_with = (
        FEED_FORMAT,
        settings.base_url,
        settings.mail_from,
        settings.feed_refresh_minutes,
    )
    digest = hashlib.sha256(repr((rendered_with, version)).encode()).hexdigest()
    return f'"{digest[:32]}"'


def _http_last_modified(changed: datetime, now: datetime) -> datetime | None:
    """Last-Modified has whole seconds, so it is rounded up; it is left out while that second
    is not over (RFC 9110 section 8.8.2.1: never later than the response), since a further
    change within the same second would otherwise not be seen by If-Modified-Since."""
    seconds = math.ceil(changed.timestamp())
    rounded = datetime.fromtimestamp(seconds, UTC)
    return rounded if rounded <= now else None


@dataclass(frozen=True)
class Conditions:
    """A request's conditional headers, as sent."""

    if_none_match: str | None = None
    if_modified_since: str | None = None


def is_not_modified(state: FeedState, conditions: Conditions) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if conditions.if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in conditions.if_none_match.split(",")]
        return "*" in tags or state.etag in tags
    if conditions.if_modified_since is None or state.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(conditions.if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored (RFC 9110 section 13.1.3)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return state.last_modified <= since


# --- rendering -----------------------------------------------------------------------------------


def render_feed(db: Session, settings: Settings, feed: Feed, cutoff: datetime) -> bytes:
    rows = list(db.scalars(_rows_query(feed.kind), _parameters(feed, cutoff)))
    events: list[EventData] = [
        session_event(s, settings, feed.joining) for s in rows if s.series_id is None
    ]
    occurrences = [s for s in rows if s.series_id is not None]
    series_ids = {s.series_id for s in occurrences}
    series = {s.id: s for s in db.exec(select(Series).where(col(Series.id).in_(series_ids)))}
    for series_id, group in groupby(occurrences, key=lambda s: s.series_id):
        try:
            made = series_events(series[series_id], list(group), settings, feed.joining)
        except _UNRENDERABLE:
            # A row no booking stores today (a rule from before its checks) must not take the
            # whole feed down with it: that series is left out, and the error logged.
            logger.exception("series %s left out of the %s feed", series_id, feed.kind.value)
            continue
        events.append(made.master)
        events.extend(o for o in made.overrides if o.end_utc >= cutoff)
    events.sort(key=lambda e: (e.start_utc, e.uid))
    return build_feed(feed.name, events, refresh=timedelta(minutes=settings.feed_refresh_minutes))


@dataclass(frozen=True)
class _Entry:
    counter: int  # the calendar version counter the state was read under
    state: FeedState
    body: bytes


class FeedCache:
    """Feed states and rendered bytes in this process, least recently used first out.

    An entry answers a request on its own while the calendar version counter stands still and
    its state has not expired; otherwise the feed's own version is read again, and its bytes
    are rendered again only if that version changed. Thread-safe: feeds are served from the event
    loop and from worker threads."""

    def __init__(self, max_feeds: int = 2048) -> None:
        self._max_feeds = max_feeds
        self._entries: OrderedDict[tuple[FeedKind, str], _Entry] = OrderedDict()
        # token hash -> (counter, person id): tokens change only with the counter.
        self._owners: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._reading: dict[tuple[FeedKind, str], threading.Lock] = {}

    def owner(self, token_hash: str, counter: int | None) -> int | None:
        """The person a known token belonged to under this counter, if remembered."""
        with self._lock:
            known = self._owners.get(token_hash)
        return known[1] if known is not None and known[0] == counter else None

    def remember_owner(self, token_hash: str, counter: int, person_id: int) -> None:
        with self._lock:
            if len(self._owners) >= self._max_feeds:
                self._owners.clear()  # rare: more tokens in use than feeds kept
            self._owners[token_hash] = (counter, person_id)

    def current(
        self, kind: FeedKind, key: str, counter: int | None, now: datetime
    ) -> _Entry | None:
        """The entry, if nothing can have changed since it was made."""
        with self._lock:
            entry = self._entries.get((kind, key))
        if entry is None or counter is None or entry.counter != counter:
            return None
        if entry.state.expires is not None and now >= entry.state.expires:
            return None
        return entry

    def reading(self, feed: Feed) -> threading.Lock:
        """Held while one thread reads and renders `feed` again: after a change, the polls that
        arrive together wait for that one rendering instead of each making their own (the
        public feed is a megabyte of iCalendar)."""
        with self._lock:
            if len(self._reading) >= self._max_feeds:
                self._reading.clear()  # rare; a lock still held keeps working for its waiters
            return self._reading.setdefault((feed.kind, feed.key), threading.Lock())

    def body(self, feed: Feed, version: tuple[object, ...]) -> bytes | None:
        with self._lock:
            entry = self._entries.get((feed.kind, feed.key))
        return entry.body if entry is not None and entry.state.version == version else None

    def put(self, feed: Feed, entry: _Entry) -> None:
        with self._lock:
            self._entries[(feed.kind, feed.key)] = entry
            self._entries.move_to_end((feed.kind, feed.key))
            while len(self._entries) > self._max_feeds:
                self._entries.popitem(last=False)


# --- serving -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSource:
    """Where an application's feeds come from: its database, through the feeds this process
    keeps and the change counter as this process knows it."""

    engine: Engine
    settings: Settings
    cache: FeedCache
    counter: ChangeCounter


@dataclass(frozen=True)
class FeedReply:
    etag: str
    last_modified: datetime | None
    body: bytes | None  # None: the client's copy is current (304)
    private: bool


def _answer(entry: _Entry, kind: FeedKind, conditions: Conditions) -> FeedReply:
    state = entry.state
    body = None if is_not_modified(state, conditions) else entry.body
    return FeedReply(state.etag, state.last_modified, body, kind is FeedKind.person)


# --- from memory: on the event loop, no database ---


def _from_memory(
    source: FeedSource, kind: FeedKind, key: str, conditions: Conditions, now: datetime
) -> FeedReply | None:
    entry = source.cache.current(kind, key, source.counter.known(), now)
    return None if entry is None else _answer(entry, kind, conditions)


def personal_feed_from_memory(
    source: FeedSource, token: str, conditions: Conditions, now: datetime
) -> FeedReply | None:
    """The reply when this process knows that nothing changed since it last served the feed;
    None when the database must be asked (`serve_personal_feed`)."""
    person_id = source.cache.owner(hash_feed_token(token), source.counter.known())
    if person_id is None:
        return None
    return _from_memory(source, FeedKind.person, str(person_id), conditions, now)


def country_feed_from_memory(
    source: FeedSource, code: str, conditions: Conditions, now: datetime
) -> FeedReply | None:
    return _from_memory(source, FeedKind.country, code.upper(), conditions, now)


def public_feed_from_memory(
    source: FeedSource, conditions: Conditions, now: datetime
) -> FeedReply | None:
    return _from_memory(source, FeedKind.public, "", conditions, now)


# --- from the database: in a worker thread ---


def _reply(
    connection: Connection,
    source: FeedSource,
    feed: Feed,
    conditions: Conditions,
    counter: int,
    now: datetime,
) -> FeedReply:
    settings, cache = source.settings, source.cache
    entry = cache.current(feed.kind, feed.key, counter, now)
    if entry is None:
        with cache.reading(feed):
            # Perhaps made meanwhile by the thread this one waited for.
            entry = cache.current(feed.kind, feed.key, counter, now)
            if entry is None:
                entry = _read_again(connection, settings, cache, feed, counter, now)
    return _answer(entry, feed.kind, conditions)


def _read_again(
    connection: Connection,
    settings: Settings,
    cache: FeedCache,
    feed: Feed,
    counter: int,
    now: datetime,
) -> _Entry:
    cutoff = now - timedelta(days=settings.feed_past_days)
    # An ORM session only when the feed must be read again: polls stay on the connection.
    with Session(bind=connection) as db:
        state = feed_state(db, settings, feed, cutoff, now)
        body = cache.body(feed, state.version) or render_feed(db, settings, feed, cutoff)
    entry = _Entry(counter, state, body)
    cache.put(feed, entry)
    return entry


_PERSON_OF_TOKEN = select(FeedToken.person_id).where(
    FeedToken.token_hash == bindparam("token_hash")
)
_COUNTRY_NAME = select(Country.name).where(Country.code == bindparam("code"))


def serve_personal_feed(
    source: FeedSource, token: str, conditions: Conditions, now: datetime
) -> FeedReply:
    with read_only(source.engine).connect() as connection:
        counter = source.counter.current(connection)
        token_hash = hash_feed_token(token)
        person_id = source.cache.owner(token_hash, counter)
        if person_id is None:
            person_id = connection.execute(_PERSON_OF_TOKEN, {"token_hash": token_hash}).scalar()
            if person_id is None:
                raise NotFound("No such feed: the link is wrong, or was replaced or revoked.")
            source.cache.remember_owner(token_hash, counter, person_id)
        feed = Feed(FeedKind.person, str(person_id), "ASEAN Pubs: my VDO-conferences")
        return _reply(connection, source, feed, conditions, counter, now)


def serve_country_feed(
    source: FeedSource, code: str, conditions: Conditions, now: datetime
) -> FeedReply:
    with read_only(source.engine).connect() as connection:
        counter = source.counter.current(connection)
        name = connection.execute(_COUNTRY_NAME, {"code": code.upper()}).scalar()
        if name is None:
            raise NotFound(f"No country with code {code!r}.")
        feed = Feed(FeedKind.country, code.upper(), f"ASEAN Pubs VDO-conferences: {name}")
        return _reply(connection, source, feed, conditions, counter, now)


def serve_public_feed(source: FeedSource, conditions: Conditions, now: datetime) -> FeedReply:
    with read_only(source.engine).connect() as connection:
        counter = source.counter.current(connection)
        feed = Feed(FeedKind.public, "", "ASEAN Pubs VDO-conferences")
        return _reply(connection, source, feed, conditions, counter, now)
