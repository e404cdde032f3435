"""What waits on a delegate, for their page: minutes out for their comment, and the open action
items that are theirs or their country's (read through the minutes queries, with the same
visibility as `/api/v1/action-items`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from service.directory.models import Person
from service.minutes import queries as minutes_queries
from service.minutes.access import Standing
from service.minutes.records import ActionStatus
from service.rendering.i18n import N_
from service.web import views

SHOWN = 100


@dataclass(frozen=True)
class Review:
    session_id: int
    title: str
    deadline: str  # in the delegate's zone


@dataclass(frozen=True)
class MyActionItem:
    session_id: int
    session_title: str
    text: str
    owner: str  # "you" or the country code
    due: str
    overdue: bool


def reviews(db: Session, person: Person, now: datetime, language: str) -> list[Review]:
    return [
        Review(session_id, title, views.when(deadline, person.zone, language))
        for session_id, title, deadline in minutes_queries.circulated_to(db, person, now)
    ]


def action_items(db: Session, who: Standing, person: Person, now: datetime) -> list[MyActionItem]:
    """Open items owned by the person or by their country, the earliest due first."""
    found = {}
    for owner_person, owner_country in ((person.id, None), (None, person.country_code)):
        rows, _ = minutes_queries.action_items(
            db,
            who,
            owner_country=owner_country,
            owner_person=owner_person,
            status=ActionStatus.open,
            due_before=None,
            due_after=None,
            limit=SHOWN,
            offset=0,
        )
        found.update({row.id: row for row in rows})
    today = views.local_time(now, person.zone).date()
    ordered = sorted(found.values(), key=lambda row: (row.due is None, row.due, row.id))
    return [
        MyActionItem(
            session_id=row.session_id,
            session_title=row.session_title,
            text=row.text,
            owner=N_("you") if row.owner_person_id == person.id else row.owner_country or "",
            due=row.due.isoformat() if row.due else "",
            overdue=row.due is not None and row.due < today,
        )
        for row in ordered[:SHOWN]
    ]
