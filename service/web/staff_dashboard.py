"""The staff's first page: the sessions of the coming days with their invitees' answers, and
whether the outbox has mail it could not deliver."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from service.delivery import service as delivery
from service.delivery.models import MessageState
from service.dependencies import AppClock, Db
from service.scheduling import queries as sessions
from service.web import views
from service.web.controller import HtmlResponse, coming_sessions, page
from service.web.language import reader_language
from service.web.staff_access import staff, staff_gate

DASHBOARD_DAYS = 14


class StaffPages(Controller):
    path = "/staff"
    guards = [staff_gate]

    @get(sync_to_thread=True, include_in_schema=False)
    def dashboard(self, db: Db, clock: AppClock, request: Request[Any, Any, Any]) -> HtmlResponse:
        viewer = staff(db, request)
        rows, total = coming_sessions(db, clock, DASHBOARD_DAYS)
        invitees = sessions.invitees_of(db, [row.id or 0 for row in rows])
        outbox = delivery.count_by_state(db)
        return page(
            request,
            viewer,
            "dashboard.html",
            days=DASHBOARD_DAYS,
            total=total,
            sessions=[
                {
                    "id": row.id,
                    "title": row.title,
                    "when": views.when(row.start_utc, row.organiser_zone, reader_language(request)),
                    "counts": views.answer_counts([p.partstat for p, _ in invitees[row.id or 0]]),
                }
                for row in rows
            ],
            undelivered=sum(n for state, n in outbox.items() if state != MessageState.sent),
            dead=outbox.get(MessageState.dead, 0),
        )
