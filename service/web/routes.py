"""Every page handler, in one router with the checks that only pages need."""

from __future__ import annotations

from litestar import Router
from litestar.exceptions import HTTPException
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
    StaffPages,
    error_page,
)
from service.web.public_site import public_site_pages
from service.web.review_pages import MinutesReviewPages
from service.web.security import csrf_config


def web_router(settings: Settings) -> Router:
    """The pages, with the CSRF checks that only they need (the JSON API authenticates by
    bearer token, not by cookie). The session cookie's middleware is the application's
    (`web_middleware`): a router's middleware is copied, and its cipher cannot be."""
    return Router(
        path="/",
        route_handlers=[
            *public_site_pages(),
            PublicPages,
            SessionPages,
            DelegatePages,
            MinutesReviewPages,
            StaffPages,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        exception_handlers={DomainError: error_page, HTTPException: error_page},
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf_config(settings))],
    )
