"""The forms of the staff session page, and how each becomes the JSON API's request body.

The pages edit a simple view of the agenda and the minutes; what a form does not show (the
minutes' attendance and action items, an agenda item's documents) is carried over from the
revision the form was made from, so that saving from the page never drops it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import pytz
from pydantic import Field

from service.minutes.schemas import (
    AgendaIn,
    MinutesContent,
    MinutesSave,
)
from service.rendering.i18n import N_
from service.scheduling.schemas import MAX_DURATION_MINUTES, Scope
from service.web.forms import BrowserForm, parse_form

MAX_AGENDA_ROWS = 100
MAX_MINUTES_ITEMS = 100


def aware(local: datetime, zone: str) -> datetime:
    """A wall-clock time typed into a datetime-local input, in `zone`."""
    if local.tzinfo is not None:
        return local
    return pytz.timezone(zone).localize(local)


def datetime_input(moment: datetime, zone: str) -> str:
    """The value of a datetime-local input showing `moment` in `zone`."""
    return moment.astimezone(pytz.timezone(zone)).strftime("%Y-%m-%dT%H:%M")


class PageScope(StrEnum):
    """Which sessions of a series a change applies to: the API's scopes, and the whole series
    still to come ("this and following" from its first session not yet started)."""

    this = "this"
    following = "following"
    series = "series"

    @property
    def label(self) -> str:
        return {
            PageScope.this: N_("This session only"),
            PageScope.following: N_("This and the following sessions"),
            PageScope.series: N_("The whole series (every session still to come)"),
        }[self]


def api_scope(scope: PageScope) -> Scope:
    """The API's scope for a page's: the whole series is "following" from its first session."""
    return Scope.this if scope == PageScope.this else Scope.following


class ShownRevisions(BrowserForm):
    """A change of the session (`scope`): `revision` is the session's as shown;
    `series_from` and `series_revision` are the occurrence a change of the whole series would
    start from, as it was when the page was shown."""

    scope: PageScope = PageScope.this
    revision: int
    series_from: int | None = None
    series_revision: int | None = None


class RescheduleForm(ShownRevisions):
    start: datetime
    duration: int = Field(ge=5, le=MAX_DURATION_MINUTES)
    title: str = Field(min_length=1, max_length=300)
    acknowledge: bool = False


class CancelForm(ShownRevisions):
    confirm: bool = False


class AgendaForm(BrowserForm):
    """Rows in order; a row with no title is dropped, a "sub" row belongs to the item above."""

    revision: int = Field(ge=0)
    item_id: list[str] = Field(default_factory=list, max_length=MAX_AGENDA_ROWS)
    level: list[str] = Field(default_factory=list, max_length=MAX_AGENDA_ROWS)
    title: list[str] = Field(default_factory=list, max_length=MAX_AGENDA_ROWS)
    presenter: list[str] = Field(default_factory=list, max_length=MAX_AGENDA_ROWS)
    minutes: list[str] = Field(default_factory=list, max_length=MAX_AGENDA_ROWS)
    description: list[str] = Field(default_factory=list, max_length=MAX_AGENDA_ROWS)

    def as_request(self) -> AgendaIn:
        items: list[dict[str, Any]] = []
        rows = zip(
            self.item_id,
            self.level,
            self.title,
            self.presenter,
            self.minutes,
            self.description,
            strict=False,
        )
        for item_id, level, title, presenter, minutes, description in rows:
            if not title.strip():
                continue
            item = {
                "id": int(item_id) if item_id.isdigit() else None,
                "title": title.strip(),
                "presenter": presenter.strip() or None,
                "minutes_allotted": int(minutes) if minutes.isdigit() else None,
                "description": description,
            }
            if level == "sub" and items:
                items[-1]["subitems"].append(item)
            else:
                items.append(item | {"subitems": []})
        return parse_form(AgendaIn, {"revision": self.revision, "items": items})


class MinutesForm(BrowserForm):
    """Each item's summary and decisions (one a line), and the free text."""

    base_revision: int = Field(ge=0)
    number: list[str] = Field(default_factory=list, max_length=MAX_MINUTES_ITEMS)
    item_title: list[str] = Field(default_factory=list, max_length=MAX_MINUTES_ITEMS)
    summary: list[str] = Field(default_factory=list, max_length=MAX_MINUTES_ITEMS)
    decisions: list[str] = Field(default_factory=list, max_length=MAX_MINUTES_ITEMS)
    free_text: str = ""

    def as_content(self, base: MinutesContent) -> MinutesContent:
        """The text typed, over what `base` holds that the form does not show."""
        actions = {item.number: item.actions for item in base.items}
        items = [
            {
                "number": number,
                "title": title,
                "summary": summary,
                "decisions": [line.strip() for line in decisions.splitlines() if line.strip()],
                "actions": [a.model_dump() for a in actions.get(number, [])],
            }
            for number, title, summary, decisions in zip(
                self.number, self.item_title, self.summary, self.decisions, strict=False
            )
        ]
        return parse_form(
            MinutesContent,
            {
                "items": items,
                "attendance": [a.model_dump() for a in base.attendance],
                "free_text": self.free_text,
            },
        )

    def as_request(self, base: MinutesContent) -> MinutesSave:
        content = self.as_content(base).model_dump()
        return parse_form(MinutesSave, content | {"base_revision": self.base_revision})


class CirculateForm(BrowserForm):
    deadline: datetime


class CircularForm(BrowserForm):
    kind: str = Field(max_length=20)
    language: str = Field(default="en", max_length=2)
    message: str = Field(default="", max_length=5000)
    public: bool = False
