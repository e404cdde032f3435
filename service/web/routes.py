"""Every page handler, in one router with the checks that only pages need: the CSRF check on
every form, and refusals shown as pages (a person reads them, not a program)."""

from __future__ import annotations

from litestar import Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.static_files import create_static_files_router

from service.errors import DomainError
from service.settings import Settings
from service.web.controller import (
    STATIC_DIR,
    DelegatePages,
    PublicPages,
    SessionPages,
    error_page,
)
from service.web.public_site import public_site_pages
from service.web.review_pages import MinutesReviewPages
from service.web.security import csrf_config
from service.web.staff_access import StaffOnly, staff_only_page
from service.web.staff_dashboard import StaffPages
from service.web.staff_directory import BridgePages, DirectoryPages, OutboxPages
from service.web.staff_planner import PlannerPages
from service.web.staff_sessions import CircularDocuments, SessionManagement


def web_router(settings: Settings) -> Router:
    """The pages: the public site, sign-in, the session page, the delegate's and the staff's.

    The session cookie's middleware is the application's (`web_middleware`): a router's
    middleware is copied, and its cipher cannot be. The JSON API authenticates by bearer token,
    not by cookie, so it needs no CSRF check."""
    return Router(
        path="/",
        route_handlers=[
            *public_site_pages(),
            PublicPages,
            SessionPages,
            DelegatePages,
            MinutesReviewPages,
            StaffPages,
            PlannerPages,
            SessionManagement,
            CircularDocuments,
            DirectoryPages,
            BridgePages,
            OutboxPages,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
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
