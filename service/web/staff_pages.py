"""The secretariat's pages: the meeting planner, managing a session, the directory, bridges and
the outbox. Thin handlers over the same service functions as the JSON API; what the pages show
is worked out in `service.web.staff_views`.

They live apart from `service.web.controller` (sign-in, delegates' pages) in a router of their
own, with the same CSRF checks and error pages.
"""

from __future__ import annotations

from litestar import Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware

from service.errors import DomainError
from service.settings import Settings
from service.web.controller import error_page
from service.web.security import csrf_config
from service.web.staff_access import StaffOnly, staff_only_page
from service.web.staff_directory import BridgePages, DirectoryPages, OutboxPages
from service.web.staff_planner import PlannerPages
from service.web.staff_sessions import CircularDocuments, SessionManagement


def staff_router(settings: Settings) -> Router:
    """The staff pages, with the CSRF checks of every page (see `web_router`)."""
    return Router(
        path="/",
        route_handlers=[
            PlannerPages,
            SessionManagement,
            CircularDocuments,
            DirectoryPages,
            BridgePages,
            OutboxPages,
        ],
        exception_handlers={
            StaffOnly: staff_only_page,
            DomainError: error_page,
            # Named as well: the application's ValidationException handler (problem+json)
            # would otherwise win over HTTPException's here, being the closer match.
            ValidationException: error_page,
            HTTPException: error_page,
        },
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf_config(settings))],
    )
