"""Request and response bodies of the calendar API (invites, answers, feeds)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.calendar.rsvp import Answer
from service.request_body import RequestBody
from service.scheduling.models import PartStat
from service.scheduling.schemas import Scope


class RsvpIn(RequestBody):
    answer: Answer
    scope: Scope = Field(
        default=Scope.this,
        description='"following": also the later occurrences of the series you are invited to',
    )


class RsvpRead(BaseModel):
    person_id: int
    partstat: PartStat
    responded_at: datetime | None
    session_ids: list[int] = Field(description="Every session the answer was recorded for")


class FeedLinks(BaseModel):
    url: str = Field(description="The feed over HTTP(S), e.g. for Google Calendar's 'From URL'")
    webcal_url: str = Field(description="The same feed as webcal://, which opens a calendar app")


class PersonalFeedIssued(FeedLinks):
    """Shown once: only a hash of the token is kept, so a lost URL can only be replaced."""

    person_id: int
    created_at: datetime


class PersonalFeedState(BaseModel):
    exists: bool
    created_at: datetime | None = Field(
        description="When the current URL was issued; POST /people/{id}/feed-token makes a new one"
    )


class MyFeeds(BaseModel):
    person_id: int | None
    personal: PersonalFeedState
    country: FeedLinks | None = Field(description="Your country's feed, without joining details")
    public: FeedLinks = Field(description="The whole network's feed, without joining details")
