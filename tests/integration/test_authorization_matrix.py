"""Who may call what: every route of the application, for five callers, with the status each
gets; and the joining secrets never reach public feeds or people who were not invited.

The routes come from the application itself: its OpenAPI document and the page routes left out
of it. A route without an entry in ROUTES (or PAGES) fails the first test, naming the route, so
a new endpoint cannot ship without someone deciding who may call it.

To add a route: put `(METHOD, path as the OpenAPI document spells it): Call(...)` in ROUTES
(pages: PAGES, the path as the browser sees it, `{session_id}` for parameters), with the access
rule (`staff_only(201)`, `signed_in(200)`, ...) or an explicit `Access(...)`, and what the call
needs: path parameters from the world (`params`), a body (`json`, `content`, `files`, `data`),
query parameters (`query`). A route that destroys what it is given gets a fresh object per call
through `params`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from service.app import create_app
from service.auth import service as auth
from service.calendar.feeds import issue_feed_token, personal_feed_path
from service.calendar.models import FeedToken
from service.calendar.rsvp import read_rsvp_token, rsvp_token
from service.db import session_scope
from service.directory.models import Person
from service.errors import NotFound
from service.settings import Settings
from tests.dates import MovableClock, iso
from tests.integration.calendar_network import (
    DIAL_IN_PIN,
    JOIN_URL,
    PASSCODE,
    CalendarNetwork,
    build_calendar_network,
)
from tests.integration.network import book
from tests.integration.web_client import form_token, sign_in

pytestmark = pytest.mark.db

API = "/api/v1"
PASSWORD = "a long enough password"
ROLES = ("anonymous", "delegate", "other", "secretariat", "admin")
PDF = b"%PDF-1.7\n% a paper\n"
# What only staff may read: the world's draft news post and its library document that is not
# public. Neither may appear in any answer to anyone else.
DRAFT_TITLE = "Embargoed retreat plans"
PRIVATE_TITLE = "Confidential budget paper"
PUBLIC_TITLE = "Public service manual"


@dataclass(frozen=True)
class Access:
    """The status each caller gets. `delegate` is invited to the world's session, `other` is a
    delegate who is not."""

    anonymous: int
    delegate: int
    other: int
    secretariat: int
    admin: int


def anyone(ok: int) -> Access:
    return Access(ok, ok, ok, ok, ok)


def signed_in(ok: int) -> Access:
    return Access(401, ok, ok, ok, ok)


def invitees_and_staff(ok: int) -> Access:
    return Access(401, ok, 403, ok, ok)


def staff_only(ok: int) -> Access:
    return Access(401, 403, 403, ok, ok)


def admin_only(ok: int) -> Access:
    return Access(401, 403, 403, 403, ok)


def _upload(client: TestClient, staff: dict[str, str], title: str, public: bool = False) -> int:
    """A library document, uploaded by staff."""
    response = client.post(
        f"{API}/library",
        headers=staff,
        data={"title": title, "year": "2025", "language": "en", "public": str(public).lower()},
        files={"file": ("paper.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@dataclass
class World:
    """A session with one invited delegate, and what the routes' parameters name."""

    client: TestClient
    calendar: CalendarNetwork
    staff: dict[str, str]
    session_id: int
    circular_id: int
    answer_path: str
    agency_id: int
    draft_slug: str
    private_document_id: int
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _years: itertools.count[int] = field(default_factory=itertools.count)
    # Codes that ISO 3166 leaves to users, so no real country's.
    _codes: Iterator[str] = field(default_factory=lambda: (f"Q{c}" for c in "MNOPQRSTUVWXYZ"))

    def unique(self) -> int:
        """A number no other call got: for names, emails and days that must not repeat."""
        return next(self._serial)

    def country_code(self) -> str:
        return next(self._codes)

    def holiday_list(self) -> dict[str, Any]:
        year = self.calendar.start.year + 2 + next(self._years)
        return {
            "year": year,
            "format": "csv",
            "content": f"date,name\n{year}-01-01,New Year\n",
            "source": "Gazette",
        }

    @property
    def invitee(self) -> int:
        return self.calendar.anan

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(API + path, headers=self.staff, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def free_start(self) -> str:
        """When the world's bridge is free: a booking's start."""
        return iso(self.calendar.start + timedelta(hours=2 * self.unique()))

    def fresh_session(self) -> int:
        """A session of its own, for a route that cancels or edits what it is given."""
        body = {"start": self.free_start(), "people": [self.invitee], "acknowledge_problems": True}
        response = book(self.client, self.staff, self.calendar.network, **body)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def fresh_person(self) -> int:
        n = self.unique()
        return int(
            self.post(
                "/people", {"name": f"P{n}", "email": f"p{n}@x.example", "country_code": "TH"}
            )["id"]
        )

    def fresh_feed(self) -> str:
        """The invitee's private feed as a new link (the feed-token routes replace it)."""
        with session_scope(self.client.app.state.engine) as db:
            return personal_feed_path(issue_feed_token(db, self.invitee)[1]).removeprefix("/feeds/")

    def fresh_delegate_token(self) -> int:
        """A token of the invited delegate's account."""
        with session_scope(self.client.app.state.engine) as db:
            user = auth.get_user(db, self.users["delegate"])
            return auth.issue_token(db, user)[0].id or 0

    def fresh_post(self) -> str:
        """A draft news post of its own, for a route that edits or deletes it."""
        return str(self.post("/news", {"title": f"Post {self.unique()}"})["slug"])

    def fresh_document(self) -> int:
        """A library document of its own (not public), for a route that edits or deletes it."""
        return _upload(self.client, self.staff, f"Paper {self.unique()}")

    def fresh_agenda_item(self) -> dict[str, int]:
        """A saved agenda item of a session of its own (invitee: the invited delegate)."""
        session_id = self.fresh_session()
        response = self.client.put(
            f"{API}/sessions/{session_id}/agenda",
            headers=self.staff,
            json={"revision": 0, "items": [{"title": "Papers"}]},
        )
        assert response.status_code == 200, response.text
        return {"session_id": session_id, "item_id": response.json()["items"][0]["id"]}

    def fresh_paper(self) -> dict[str, int]:
        """A paper attached to such an item."""
        item = self.fresh_agenda_item()
        response = self.client.post(
            f"{API}/sessions/{item['session_id']}/agenda/items/{item['item_id']}/documents",
            headers=self.staff,
            files={"data": ("paper.pdf", PDF, "application/pdf")},
        )
        assert response.status_code == 201, response.text
        return {"session_id": item["session_id"], "document_id": response.json()["id"]}

    def day(self, days: int) -> str:
        return (self.calendar.start + timedelta(days=days)).date().isoformat()


Params = Callable[[World], dict[str, Any]]
Body = Callable[[World], Any]


@dataclass(frozen=True)
class Call:
    access: Access
    params: Params = lambda w: {}
    json: Body | None = None
    content: Body | None = None  # CSV
    files: Body | None = None  # {field: (name, bytes, type)}: multipart, with `data`
    data: Body | None = None  # a form (on the pages, the CSRF token is added)
    query: Params = lambda w: {}
    signs_out: bool = False


def _session(w: World) -> dict[str, Any]:
    return {"session_id": w.session_id}


def _fresh_session(w: World) -> dict[str, Any]:
    return {"session_id": w.fresh_session()}


def _person(w: World) -> dict[str, Any]:
    return {"person_id": w.invitee}


def _later(w: World, days: int) -> str:
    return (w.calendar.start + timedelta(days=days)).isoformat()


UNKNOWN = 999_999  # an id that names nothing: allowed callers get 404

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/health"): Call(anyone(200)),
    # --- accounts
    ("GET", "/api/v1/me"): Call(signed_in(200)),
    ("GET", "/api/v1/me/tokens"): Call(signed_in(200)),
    ("POST", "/api/v1/me/tokens"): Call(signed_in(201), json=lambda w: {"label": "laptop"}),
    # The token is the invited delegate's: only they and administrators may revoke it.
    ("POST", "/api/v1/me/tokens/{token_id}/revoke"): Call(
        Access(401, 204, 404, 404, 204), params=lambda w: {"token_id": w.fresh_delegate_token()}
    ),
    ("GET", "/api/v1/users"): Call(admin_only(200)),
    ("POST", "/api/v1/users"): Call(
        admin_only(201),
        json=lambda w: {"email": f"u{w.unique()}@x.example", "name": "U", "role": "delegate"},
    ),
    ("PATCH", "/api/v1/users/{user_id}"): Call(
        admin_only(200),
        params=lambda w: {"user_id": w.users["other"]},
        json=lambda w: {"active": True},
    ),
    # --- directory
    ("GET", "/api/v1/countries"): Call(signed_in(200)),
    ("POST", "/api/v1/countries"): Call(
        staff_only(201),
        json=lambda w: {
            "code": w.country_code(),
            "name": f"Partner {w.unique()}",
            "capital_zone": "Pacific/Auckland",
        },
    ),
    ("GET", "/api/v1/countries/{code}"): Call(signed_in(200), params=lambda w: {"code": "TH"}),
    ("PATCH", "/api/v1/countries/{code}"): Call(
        staff_only(200), params=lambda w: {"code": "LA"}, json=lambda w: {"hours_note": "Lunch"}
    ),
    ("GET", "/api/v1/countries/{code}/calendar"): Call(
        signed_in(200), params=lambda w: {"code": "TH"}
    ),
    ("POST", "/api/v1/countries/{code}/calendar"): Call(
        staff_only(201),
        params=lambda w: {"code": "TH"},
        json=lambda w: {
            "kind": "day_off",
            "first_day": w.day(60 + w.unique()),
            "name": "Day off by decision",
            "source": "Government decision",
        },
    ),
    ("POST", "/api/v1/countries/{code}/calendar/import"): Call(
        staff_only(200),
        params=lambda w: {"code": "TH"},
        json=lambda w: w.holiday_list(),
    ),
    ("DELETE", "/api/v1/countries/{code}/calendar/{entry_id}"): Call(
        staff_only(204),
        params=lambda w: {
            "code": "TH",
            "entry_id": w.post(
                "/countries/TH/calendar",
                {
                    "kind": "day_off",
                    "first_day": w.day(200 + w.unique()),
                    "name": "Day off by decision",
                    "source": "Government decision",
                },
            )["id"],
        },
    ),
    ("GET", "/api/v1/official-calendars"): Call(signed_in(200)),
    ("GET", "/api/v1/agencies"): Call(signed_in(200)),
    ("POST", "/api/v1/agencies"): Call(
        staff_only(201),
        json=lambda w: {
            "name": f"Agency {w.unique()}",
            "acronym": "AG",
            "country_code": "SG",
            "kind": "member_agency",
        },
    ),
    ("GET", "/api/v1/agencies/{agency_id}"): Call(
        signed_in(200), params=lambda w: {"agency_id": w.agency_id}
    ),
    ("PATCH", "/api/v1/agencies/{agency_id}"): Call(
        staff_only(200),
        params=lambda w: {"agency_id": w.agency_id},
        json=lambda w: {"acronym": "OPDC"},
    ),
    ("DELETE", "/api/v1/agencies/{agency_id}"): Call(
        staff_only(204),
        params=lambda w: {
            "agency_id": w.post(
                "/agencies",
                {
                    "name": f"Gone {w.unique()}",
                    "acronym": "G",
                    "country_code": "SG",
                    "kind": "member_agency",
                },
            )["id"]
        },
    ),
    ("GET", "/api/v1/people"): Call(signed_in(200)),
    ("POST", "/api/v1/people"): Call(
        staff_only(201),
        json=lambda w: {
            "name": "New",
            "email": f"new{w.unique()}@x.example",
            "country_code": "SG",
        },
    ),
    ("GET", "/api/v1/people/{person_id}"): Call(signed_in(200), params=_person),
    ("PATCH", "/api/v1/people/{person_id}"): Call(
        staff_only(200), params=_person, json=lambda w: {"title": "Dr"}
    ),
    ("DELETE", "/api/v1/people/{person_id}"): Call(
        staff_only(204), params=lambda w: {"person_id": w.fresh_person()}
    ),
    ("POST", "/api/v1/people/import"): Call(
        staff_only(201),
        content=lambda w: f"name,email,country\nNew,csv{w.unique()}@x.example,TH\n".encode(),
    ),
    ("GET", "/api/v1/people/{person_id}/unavailability"): Call(signed_in(200), params=_person),
    ("POST", "/api/v1/people/{person_id}/unavailability"): Call(
        staff_only(201),
        params=_person,
        json=lambda w: {
            "start": _later(w, 40 + w.unique()),
            "end": _later(w, 41 + w.unique()),
            "reason": "leave",
        },
    ),
    ("DELETE", "/api/v1/people/{person_id}/unavailability/{item_id}"): Call(
        staff_only(204),
        params=lambda w: {
            "person_id": w.invitee,
            "item_id": w.post(
                f"/people/{w.invitee}/unavailability",
                {
                    "start": _later(w, 100 + 3 * w.unique()),
                    "end": _later(w, 101 + 3 * w.unique()),
                    "reason": "leave",
                },
            )["id"],
        },
    ),
    # --- bridges, planner, sessions
    ("GET", "/api/v1/bridges"): Call(signed_in(200)),
    ("POST", "/api/v1/bridges"): Call(
        staff_only(201),
        json=lambda w: {
            "name": f"Room {w.unique()}",
            "provider": "jitsi",
            "settings": {"base_url": "https://meet.example.org"},
        },
    ),
    ("GET", "/api/v1/bridges/{bridge_id}"): Call(
        signed_in(200), params=lambda w: {"bridge_id": w.calendar.network.bridge_id}
    ),
    ("PATCH", "/api/v1/bridges/{bridge_id}"): Call(
        staff_only(200),
        params=lambda w: {"bridge_id": w.calendar.network.bridge_id},
        json=lambda w: {"capacity": 50},
    ),
    ("GET", "/api/v1/planner"): Call(
        signed_in(200),
        query=lambda w: {"countries": "TH,SG", "from": w.day(0), "to": w.day(6)},
    ),
    ("GET", "/api/v1/planner/day"): Call(
        signed_in(200), query=lambda w: {"countries": "TH,SG", "day": w.day(0)}
    ),
    ("GET", "/api/v1/sessions"): Call(signed_in(200)),
    ("POST", "/api/v1/sessions"): Call(
        staff_only(201),
        json=lambda w: {
            "start": w.free_start(),
            "title": "Booked",
            "duration_minutes": 30,
            "organiser_zone": "Asia/Bangkok",
            "bridge_id": w.calendar.network.bridge_id,
            "people": [w.invitee],
            "acknowledge_problems": True,
        },
    ),
    ("GET", "/api/v1/sessions/{session_id}"): Call(signed_in(200), params=_session),
    ("PATCH", "/api/v1/sessions/{session_id}"): Call(
        staff_only(200), params=_fresh_session, json=lambda w: {"revision": 1, "title": "Renamed"}
    ),
    ("POST", "/api/v1/sessions/{session_id}/cancel"): Call(
        staff_only(200), params=_fresh_session, json=lambda w: {"scope": "this"}
    ),
    # --- calendar
    # Anyone signed in gets the invite; only staff and invitees get the joining details in it
    # (checked below, with every other answer).
    ("GET", "/api/v1/sessions/{session_id}/invite.ics"): Call(signed_in(200), params=_session),
    # Answering for oneself: staff are not invited either.
    ("POST", "/api/v1/sessions/{session_id}/rsvp"): Call(
        Access(401, 200, 403, 403, 403), params=_session, json=lambda w: {"answer": "accepted"}
    ),
    ("POST", "/api/v1/people/{person_id}/feed-token"): Call(
        invitees_and_staff(201), params=_person
    ),
    ("DELETE", "/api/v1/people/{person_id}/feed-token"): Call(
        invitees_and_staff(204), params=_person
    ),
    ("GET", "/api/v1/me/feed"): Call(signed_in(200)),
    ("GET", "/feeds/public.ics"): Call(anyone(200)),
    ("HEAD", "/feeds/public.ics"): Call(anyone(200)),
    ("GET", "/feeds/countries/{file_name}"): Call(
        anyone(200), params=lambda w: {"file_name": "TH.ics"}
    ),
    ("HEAD", "/feeds/countries/{file_name}"): Call(
        anyone(200), params=lambda w: {"file_name": "TH.ics"}
    ),
    # The secret is in the link: whoever holds it reads the feed or answers.
    ("GET", "/feeds/{file_name}"): Call(
        anyone(200), params=lambda w: {"file_name": w.fresh_feed()}
    ),
    ("HEAD", "/feeds/{file_name}"): Call(
        anyone(200), params=lambda w: {"file_name": w.fresh_feed()}
    ),
    ("GET", "/rsvp/{token}"): Call(
        anyone(200),
        params=lambda w: {"token": w.answer_path},
        query=lambda w: {"answer": "accepted"},
    ),
    ("POST", "/rsvp/{token}"): Call(
        anyone(200),
        params=lambda w: {"token": w.answer_path},
        query=lambda w: {"answer": "accepted"},
    ),
    # --- circulars, agenda, minutes
    # The circulars the caller may read: none for a delegate who was not invited.
    ("GET", "/api/v1/sessions/{session_id}/circulars"): Call(signed_in(200), params=_session),
    ("POST", "/api/v1/sessions/{session_id}/circulars"): Call(
        staff_only(201), params=_session, json=lambda w: {"kind": "notice"}
    ),
    ("POST", "/api/v1/sessions/{session_id}/circulars/preview"): Call(
        staff_only(200), params=_session, json=lambda w: {"kind": "notice"}
    ),
    ("GET", "/api/v1/circulars/{name}"): Call(
        invitees_and_staff(200), params=lambda w: {"name": f"{w.circular_id}.txt"}
    ),
    ("GET", "/api/v1/sessions/{session_id}/agenda"): Call(invitees_and_staff(200), params=_session),
    ("PUT", "/api/v1/sessions/{session_id}/agenda"): Call(
        staff_only(200),
        params=_fresh_session,
        json=lambda w: {"revision": 0, "items": [{"title": "Opening remarks"}]},
    ),
    ("POST", "/api/v1/sessions/{session_id}/agenda/items/{item_id}/documents"): Call(
        staff_only(404),
        params=lambda w: {"session_id": w.session_id, "item_id": UNKNOWN},
        files=lambda w: {"data": ("notes.pdf", PDF, "application/pdf")},
    ),
    ("GET", "/api/v1/sessions/{session_id}/agenda/documents/{document_id}"): Call(
        invitees_and_staff(404),
        params=lambda w: {"session_id": w.session_id, "document_id": UNKNOWN},
    ),
    # Invitees read the minutes once circulated; the world's are a draft.
    ("GET", "/api/v1/sessions/{session_id}/minutes"): Call(
        Access(401, 404, 403, 200, 200), params=_session
    ),
    ("PUT", "/api/v1/sessions/{session_id}/minutes"): Call(
        staff_only(200),
        params=_fresh_session,
        json=lambda w: {"base_revision": 0, "free_text": "Met."},
    ),
    ("GET", "/api/v1/sessions/{session_id}/minutes/revisions"): Call(
        staff_only(200), params=_session
    ),
    ("GET", "/api/v1/sessions/{session_id}/minutes/revisions/{number}"): Call(
        staff_only(404), params=lambda w: {"session_id": w.session_id, "number": UNKNOWN}
    ),
    ("GET", "/api/v1/sessions/{session_id}/minutes/diff"): Call(
        staff_only(404), params=_session, query=lambda w: {"from": "1", "to": "2"}
    ),
    # The steps of the workflow that the world's minutes are not ready for answer 409 to
    # those allowed to take them.
    ("POST", "/api/v1/sessions/{session_id}/minutes/circulate"): Call(
        staff_only(409), params=_session, json=lambda w: {"deadline": _later(w, 7)}
    ),
    ("POST", "/api/v1/sessions/{session_id}/minutes/withdraw"): Call(
        staff_only(409), params=_session
    ),
    ("POST", "/api/v1/sessions/{session_id}/minutes/adopt"): Call(staff_only(409), params=_session),
    ("POST", "/api/v1/sessions/{session_id}/minutes/corrigenda"): Call(
        staff_only(409), params=_session, json=lambda w: {"base_revision": 0, "note": "A typo"}
    ),
    ("GET", "/api/v1/sessions/{session_id}/minutes/comments"): Call(
        invitees_and_staff(200), params=_session
    ),
    ("POST", "/api/v1/sessions/{session_id}/minutes/comments"): Call(
        invitees_and_staff(409), params=_session, json=lambda w: {"body": "Agreed."}
    ),
    ("POST", "/api/v1/sessions/{session_id}/minutes/responses"): Call(
        invitees_and_staff(409),
        params=_session,
        json=lambda w: {"position": "no_objection", "country": "TH"},
    ),
    ("GET", "/api/v1/action-items"): Call(signed_in(200)),
    # --- delivery
    ("GET", "/api/v1/outbox"): Call(staff_only(200)),
    ("POST", "/api/v1/outbox/{message_id}/retry"): Call(
        staff_only(404), params=lambda w: {"message_id": UNKNOWN}
    ),
    ("GET", "/api/v1/webhooks"): Call(admin_only(200)),
    ("POST", "/api/v1/webhooks"): Call(
        admin_only(201),
        json=lambda w: {"url": "https://hooks.example.org/vdo", "event_types": ["session.booked"]},
    ),
    ("PATCH", "/api/v1/webhooks/{receiver_id}"): Call(
        admin_only(404), params=lambda w: {"receiver_id": UNKNOWN}, json=lambda w: {"active": False}
    ),
    ("DELETE", "/api/v1/webhooks/{receiver_id}"): Call(
        admin_only(404), params=lambda w: {"receiver_id": UNKNOWN}
    ),
    # --- the public site: news and the library. Anyone reads what is published or public (the
    # lists are checked for the rest below); a draft or a document not public is "not found" to
    # anyone but staff.
    ("GET", "/api/v1/news"): Call(anyone(200)),
    ("POST", "/api/v1/news"): Call(
        staff_only(201), json=lambda w: {"title": f"Written {w.unique()}"}
    ),
    ("GET", "/api/v1/news/{slug}"): Call(
        Access(404, 404, 404, 200, 200), params=lambda w: {"slug": w.draft_slug}
    ),
    ("PATCH", "/api/v1/news/{slug}"): Call(
        staff_only(200),
        params=lambda w: {"slug": w.fresh_post()},
        json=lambda w: {"published": True},
    ),
    ("DELETE", "/api/v1/news/{slug}"): Call(
        staff_only(204), params=lambda w: {"slug": w.fresh_post()}
    ),
    ("GET", "/api/v1/library"): Call(anyone(200)),
    ("POST", "/api/v1/library"): Call(
        staff_only(201),
        data=lambda w: {"title": f"Manual {w.unique()}", "year": "2025", "language": "en"},
        files=lambda w: {"file": ("manual.pdf", PDF, "application/pdf")},
    ),
    # Only adopted minutes' circulars go in; the world's is a notice.
    ("POST", "/api/v1/library/circulars"): Call(
        staff_only(409), json=lambda w: {"circular_id": w.circular_id}
    ),
    ("GET", "/api/v1/library/{document_id}"): Call(
        Access(404, 404, 404, 200, 200),
        params=lambda w: {"document_id": w.private_document_id},
    ),
    ("GET", "/api/v1/library/{document_id}/file"): Call(
        Access(404, 404, 404, 200, 200),
        params=lambda w: {"document_id": w.private_document_id},
    ),
    ("PATCH", "/api/v1/library/{document_id}"): Call(
        staff_only(200),
        params=lambda w: {"document_id": w.fresh_document()},
        json=lambda w: {"public": True},
    ),
    ("DELETE", "/api/v1/library/{document_id}"): Call(
        staff_only(204), params=lambda w: {"document_id": w.fresh_document()}
    ),
}


def staff_page(ok: int) -> Access:
    """A staff page: signed out, the sign-in form; for a delegate, 403."""
    return Access(200, 403, 403, ok, ok)


STAFF_PAGE = staff_page(200)

# The pages answer people, not programs: signed out, a page shows the sign-in form (200) rather
# than a 401, and a page that is not for the reader says so (403).
PAGES: dict[tuple[str, str], Call] = {
    ("GET", "/"): Call(anyone(200)),
    ("GET", "/sign-in"): Call(anyone(200)),
    ("POST", "/sign-in"): Call(
        anyone(401), data=lambda w: {"email": "nobody@x.example", "password": "wrong", "next": "/"}
    ),
    ("POST", "/sign-out"): Call(anyone(303), signs_out=True),
    ("GET", "/sessions/{session_id}"): Call(Access(200, 200, 403, 200, 200), params=_session),
    ("GET", "/sessions/{session_id}/papers/{document_id}"): Call(
        Access(200, 200, 403, 200, 200), params=lambda w: w.fresh_paper()
    ),
    ("POST", "/sessions/{session_id}/answer"): Call(
        Access(200, 303, 403, 403, 403),
        params=_session,
        data=lambda w: {"answer": "accepted", "scope": "this"},
    ),
    ("GET", "/me"): Call(anyone(200)),
    # Staff accounts here are linked to no person.
    ("POST", "/me/calendar-link"): Call(Access(200, 200, 200, 404, 404)),
    ("GET", "/language/{code}"): Call(anyone(303), params=lambda w: {"code": "en"}),
    # Issued circulars as stored: for the session's invitees and staff.
    ("GET", "/circulars/{document}"): Call(
        Access(200, 200, 403, 200, 200), params=lambda w: {"document": f"{w.circular_id}.txt"}
    ),
    # --- a delegate's review of circulated minutes (the world's are a draft)
    ("GET", "/me/minutes/{session_id}"): Call(Access(200, 404, 403, 200, 200), params=_session),
    ("POST", "/me/minutes/{session_id}/comments"): Call(
        Access(200, 409, 403, 409, 409), params=_session, data=lambda w: {"body": "Agreed."}
    ),
    # Staff speak for no country here (the API takes one in the body): 422.
    ("POST", "/me/minutes/{session_id}/response"): Call(
        Access(200, 409, 403, 422, 422),
        params=_session,
        data=lambda w: {"position": "no_objection"},
    ),
    # --- the public site
    ("GET", "/news"): Call(anyone(200)),
    ("GET", "/news.atom"): Call(anyone(200)),
    ("GET", "/news/{slug}"): Call(
        Access(404, 404, 404, 200, 200), params=lambda w: {"slug": w.draft_slug}
    ),
    ("GET", "/library"): Call(anyone(200)),
    # --- the staff pages
    ("GET", "/staff"): Call(STAFF_PAGE),
    ("GET", "/staff/planner"): Call(STAFF_PAGE),
    ("POST", "/staff/planner/book"): Call(
        staff_page(303),
        data=lambda w: {
            "start": w.free_start(),
            "duration": "30",
            "title": "Booked on the page",
            "zone": "Asia/Bangkok",
            "bridge": str(w.calendar.network.bridge_id),
            "people": [str(w.invitee)],
            "acknowledge": "true",
        },
    ),
    ("GET", "/staff/sessions/{session_id}"): Call(STAFF_PAGE, params=_session),
    ("POST", "/staff/sessions/{session_id}/reschedule"): Call(
        staff_page(303),
        params=_fresh_session,
        data=lambda w: {
            "revision": "1",
            "start": w.free_start(),
            "duration": "30",
            "title": "Moved",
            "acknowledge": "true",
        },
    ),
    ("POST", "/staff/sessions/{session_id}/cancel"): Call(
        staff_page(303), params=_fresh_session, data=lambda w: {"revision": "1", "confirm": "true"}
    ),
    ("POST", "/staff/sessions/{session_id}/agenda"): Call(
        staff_page(303),
        params=_fresh_session,
        data=lambda w: (
            {"revision": "0", "title": "Opening"}
            | dict.fromkeys(["item_id", "presenter", "minutes", "description"], "")
            | {"level": "item"}
        ),
    ),
    ("POST", "/staff/sessions/{session_id}/agenda/items/{item_id}/papers"): Call(
        staff_page(303),
        params=lambda w: w.fresh_agenda_item(),
        files=lambda w: {"file": ("paper.pdf", PDF, "application/pdf")},
    ),
    ("POST", "/staff/sessions/{session_id}/minutes"): Call(
        staff_page(303),
        params=_fresh_session,
        data=lambda w: {"base_revision": "0", "free_text": "Met."},
    ),
    # The steps of the workflow that the world's minutes are not ready for: 409.
    ("POST", "/staff/sessions/{session_id}/minutes/circulate"): Call(
        staff_page(409), params=_session, data=lambda w: {"deadline": _later(w, 7)}
    ),
    ("POST", "/staff/sessions/{session_id}/minutes/withdraw"): Call(
        staff_page(409), params=_session
    ),
    ("POST", "/staff/sessions/{session_id}/minutes/adopt"): Call(staff_page(409), params=_session),
    ("POST", "/staff/sessions/{session_id}/circulars"): Call(
        staff_page(303), params=_session, data=lambda w: {"kind": "notice"}
    ),
    ("POST", "/staff/sessions/{session_id}/circulars/preview"): Call(
        staff_page(200), params=_session, data=lambda w: {"kind": "notice"}
    ),
    ("GET", "/staff/directory"): Call(STAFF_PAGE),
    ("GET", "/staff/directory/countries/{code}"): Call(STAFF_PAGE, params=lambda w: {"code": "TH"}),
    ("GET", "/staff/directory/agencies"): Call(STAFF_PAGE),
    ("GET", "/staff/directory/people"): Call(STAFF_PAGE),
    ("GET", "/staff/directory/import"): Call(STAFF_PAGE),
    ("POST", "/staff/directory/import"): Call(
        staff_page(200),
        files=lambda w: {
            "data": (
                "people.csv",
                f"name,email,country\nNew,page{w.unique()}@x.example,TH\n".encode(),
                "text/csv",
            )
        },
    ),
    ("GET", "/staff/bridges"): Call(STAFF_PAGE),
    ("GET", "/staff/outbox"): Call(STAFF_PAGE),
    ("POST", "/staff/outbox/{message_id}/retry"): Call(
        staff_page(404), params=lambda w: {"message_id": UNKNOWN}
    ),
    ("GET", "/staff/news"): Call(STAFF_PAGE),
    ("POST", "/staff/news"): Call(
        staff_page(303), data=lambda w: {"title": f"Written {w.unique()}", "body": "News."}
    ),
    ("GET", "/staff/news/{slug}"): Call(STAFF_PAGE, params=lambda w: {"slug": w.draft_slug}),
    ("POST", "/staff/news/{slug}"): Call(
        staff_page(303),
        params=lambda w: {"slug": w.fresh_post()},
        data=lambda w: {"title": "Edited", "body": "Edited.", "language": "en"},
    ),
    ("POST", "/staff/news/{slug}/delete"): Call(
        staff_page(303), params=lambda w: {"slug": w.fresh_post()}
    ),
    ("GET", "/staff/library"): Call(STAFF_PAGE),
    ("POST", "/staff/library"): Call(
        staff_page(303),
        data=lambda w: {"title": f"Manual {w.unique()}", "year": "2025", "language": "en"},
        files=lambda w: {"file": ("manual.pdf", PDF, "application/pdf")},
    ),
    ("POST", "/staff/library/circulars"): Call(
        staff_page(409), data=lambda w: {"circular_id": str(w.circular_id)}
    ),
    ("POST", "/staff/library/{document_id}/public"): Call(
        staff_page(303),
        params=lambda w: {"document_id": w.fresh_document()},
        data=lambda w: {"public": "on"},
    ),
    ("POST", "/staff/library/{document_id}/delete"): Call(
        staff_page(303), params=lambda w: {"document_id": w.fresh_document()}
    ),
}

# Served by Litestar itself, the same for everyone: the API's description and its Swagger UI
# files, the stylesheet and the Thai font.
NOT_CHECKED = re.compile(r"^/(schema|api-docs|static|fonts)(/|$)")


def _openapi_routes(app: Litestar) -> set[tuple[str, str]]:
    paths = app.openapi_schema.paths or {}
    return {
        (method.upper(), path)
        for path, item in paths.items()
        for method in ("get", "head", "post", "put", "patch", "delete")
        if getattr(item, method, None) is not None
    }


def _page_routes(app: Litestar) -> set[tuple[str, str]]:
    """Every route that is not in the OpenAPI document, as `{name}` paths."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Resolved: a router can leave its handlers out of the document.
            if not isinstance(handler, HTTPRouteHandler) or handler.resolve_include_in_schema():
                continue
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            if NOT_CHECKED.match(path):
                continue
            found |= {(method, path) for method in handler.http_methods if method != "OPTIONS"}
    return found


@pytest.fixture
def web(engine: Engine, clock: MovableClock) -> TestClient:
    # Plain http, as the TestClient speaks it: a Secure cookie would not come back.
    settings = Settings(
        database_url=str(engine.url), log_requests=False, base_url="http://testserver.local"
    )
    with TestClient(app=create_app(settings, engine=engine, clock=clock)) as client:
        yield client


def test_every_route_has_an_entry(web: TestClient) -> None:
    app = web.app
    missing_api = sorted(_openapi_routes(app) - set(ROUTES))
    missing_pages = sorted(_page_routes(app) - set(PAGES))
    stale = sorted((set(ROUTES) - _openapi_routes(app)) | (set(PAGES) - _page_routes(app)))
    how = "say who may call them (the module's docstring says how)"
    assert not missing_api, f"API routes without an entry in ROUTES: {missing_api}; {how}"
    assert not missing_pages, f"page routes without an entry in PAGES: {missing_pages}; {how}"
    assert not stale, f"entries for routes that no longer exist: {stale}"


def _account(engine: Engine, name: str, role: str, person_id: int | None) -> tuple[int, str]:
    """A user who signs in as `{name}@accounts.example`, and an API token of theirs."""
    with session_scope(engine) as db:
        user = auth.create_user(
            db,
            email=f"{name}@accounts.example",
            name=name,
            role=role,
            password=PASSWORD,
            person_id=person_id,
        )
        return user.id or 0, auth.issue_token(db, user)[1]


def build_world(web: TestClient, engine: Engine, settings: Settings, clock: MovableClock) -> World:
    # The world is built by a secretariat account of its own, apart from the callers.
    staff = {"Authorization": f"Bearer {_account(engine, 'setup', 'secretariat', None)[1]}"}
    calendar = build_calendar_network(web, staff, clock)
    users, tokens = {}, {}
    for name, role, person_id in [
        ("delegate", "delegate", calendar.anan),
        ("other", "delegate", calendar.wei),
        # Staff accounts here are linked to no person.
        ("secretariat", "secretariat", None),
        ("admin", "admin", None),
    ]:
        users[name], tokens[name] = _account(engine, name, role, person_id)
    response = book(
        web,
        staff,
        calendar.network,
        start=iso(calendar.start),
        people=[calendar.anan],
        acknowledge_problems=True,
    )
    assert response.status_code == 201, response.text
    session = response.json()
    agency = web.post(
        f"{API}/agencies",
        headers=staff,
        json={"name": "OPDC", "acronym": "OPDC", "country_code": "TH", "kind": "member_agency"},
    )
    assert agency.status_code == 201, agency.text
    circular = web.post(
        f"{API}/sessions/{session['id']}/circulars", headers=staff, json={"kind": "notice"}
    )
    assert circular.status_code == 201, circular.text
    draft = web.post(f"{API}/news", headers=staff, json={"title": DRAFT_TITLE})
    assert draft.status_code == 201, draft.text
    published = web.post(f"{API}/news", headers=staff, json={"title": "News", "published": True})
    assert published.status_code == 201, published.text
    _upload(web, staff, PUBLIC_TITLE, public=True)
    return World(
        client=web,
        calendar=calendar,
        staff=staff,
        session_id=session["id"],
        circular_id=circular.json()["id"],
        answer_path=rsvp_token(settings, session["id"], calendar.anan),
        agency_id=agency.json()["id"],
        draft_slug=draft.json()["slug"],
        private_document_id=_upload(web, staff, PRIVATE_TITLE),
        users=users,
        tokens=tokens,
    )


def _call(world: World, role: str, method: str, path: str, call: Call, csrf: str) -> httpx.Response:
    url = path.format(**call.params(world))
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}
    kwargs: dict[str, Any] = {"params": call.query(world), "headers": headers}
    if call.json is not None:
        kwargs["json"] = call.json(world)
    if call.content is not None:
        kwargs["content"] = call.content(world)
        headers["Content-Type"] = "text/csv"
    if call.files is not None:
        kwargs["files"] = call.files(world)
    form = call.data(world) if call.data else {}
    if (method, path) in PAGES:
        # A page that redirects is answered 303, as a browser first sees it.
        kwargs["follow_redirects"] = False
        if method == "POST":
            form |= {"_csrf_token": csrf}
    if form:
        kwargs["data"] = form
    return world.client.request(method, url, **kwargs)


def sign_in_as(web: TestClient, role: str) -> str:
    """Signs `role` in to the pages (anonymous: signs out); returns the form token to post."""
    web.cookies.clear()
    if role != "anonymous":
        assert sign_in(web, f"{role}@accounts.example", PASSWORD).status_code == 303
    return form_token(web)


def test_every_route_answers_each_caller_as_the_matrix_says(
    web: TestClient, engine: Engine, clock: MovableClock
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("who may call what does not depend on the database; SQLite is faster")
    settings: Settings = web.app.state.settings
    world = build_world(web, engine, settings, clock)
    wrong: list[str] = []
    bodies: dict[str, list[tuple[str, str]]] = {role: [] for role in ROLES}
    for role in ROLES:
        csrf = sign_in_as(web, role)
        for (method, path), call in sorted({**ROUTES, **PAGES}.items()):
            expected = getattr(call.access, role)
            response = _call(world, role, method, path, call, csrf)
            if response.status_code != expected:
                wrong.append(
                    f"{method} {path} as {role}: expected {expected}, got "
                    f"{response.status_code} {response.text[:160]!r}"
                )
            bodies[role].append((f"{method} {path}", response.text))
            if call.signs_out:
                csrf = sign_in_as(web, role)
    assert not wrong, "\n".join(wrong)
    _assert_secrets_reach_only_the_entitled(bodies)
    _assert_drafts_reach_only_staff(bodies)


SECRETS = (PASSCODE, DIAL_IN_PIN, JOIN_URL)


def _assert_secrets_reach_only_the_entitled(bodies: dict[str, list[tuple[str, str]]]) -> None:
    leaks = [
        f"{route} as {role} shows {secret!r}"
        for role in ("anonymous", "other")
        for route, text in bodies[role]
        for secret in SECRETS
        if secret in text
        and not route.endswith("/feeds/{file_name}")  # the invitee's own link
        and not route.endswith("/rsvp/{token}")
    ]
    public = [
        f"{route} as {role} shows {secret!r}"
        for role in ROLES
        for route, text in bodies[role]
        if "/feeds/public.ics" in route or "/feeds/countries/" in route
        for secret in SECRETS
        if secret in text
    ]
    assert not leaks + public, "\n".join(leaks + public)
    # The check can fail: the invitee and the secretariat do see them.
    for role in ("delegate", "secretariat"):
        shown = dict(bodies[role])
        assert PASSCODE in shown["GET /api/v1/sessions/{session_id}"], role
        assert JOIN_URL in shown["GET /api/v1/sessions/{session_id}/invite.ics"], role


def _assert_drafts_reach_only_staff(bodies: dict[str, list[tuple[str, str]]]) -> None:
    shown = [
        f"{route} as {role} shows {title!r}"
        for role in ("anonymous", "delegate", "other")
        for route, text in bodies[role]
        for title in (DRAFT_TITLE, PRIVATE_TITLE)
        if title in text
    ]
    assert not shown, "\n".join(shown)
    # The check can fail: the lists show what is public, and staff see the rest.
    anonymous, staff = dict(bodies["anonymous"]), dict(bodies["secretariat"])
    assert PUBLIC_TITLE in anonymous["GET /library"]
    assert PUBLIC_TITLE in anonymous["GET /api/v1/library"]
    assert DRAFT_TITLE in staff["GET /api/v1/news/{slug}"]
    assert PRIVATE_TITLE in staff["GET /staff/library"]


def test_answer_links_are_checked_in_constant_time(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """itsdangerous compares a link's signature with hmac.compare_digest, whose time does not
    tell how much of a guess was right."""
    compared: list[bytes] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append(a)
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    genuine = rsvp_token(settings, 1, 2)
    assert read_rsvp_token(settings, genuine) == (1, 2)
    assert compared, "a genuine link was accepted without a constant-time comparison"
    compared.clear()
    payload, _, signature = genuine.rpartition(".")
    with pytest.raises(NotFound):
        read_rsvp_token(settings, f"{payload}.{signature[::-1]}")
    # Each key it may be signed with (the current one and any old ones) was compared.
    assert len(compared) == 1 + len(settings.old_secret_keys)


def test_feed_links_are_found_by_a_hash_never_compared_as_given(engine: Engine) -> None:
    """Only the SHA-256 of a feed token is stored and looked up: the database compares the
    digest of whatever was sent, so timing can tell at most how much of a digest matched,
    which says nothing about the token (the same reasoning as API tokens)."""
    with session_scope(engine) as db:
        person = Person(name="Anan", email="anan@x.example", country_code="TH", zone="UTC")
        db.add(person)
        db.flush()
        row, token = issue_feed_token(db, person.id or 0)
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = [value for value in db.exec(select(FeedToken)).one().model_dump().values()]
        assert token not in stored
