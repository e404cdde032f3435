"""Who may use the staff pages, and how a refused command is answered on a page."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.status_codes import HTTP_403_FORBIDDEN
from sqlmodel import Session

from service.auth.principal import Principal
from service.db import read_only
from service.errors import DomainError
from service.rendering.i18n import N_
from service.web import staff_views
from service.web.accounts import signed_in
from service.web.controller import HtmlResponse, sign_in_page


class StaffOnly(Exception):
    """Raised by `staff` for a reader who is not signed in as secretariat staff."""

    def __init__(self, viewer: Principal | None) -> None:
        super().__init__("secretariat staff only")
        self.viewer = viewer


def staff(db: Session, request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The signed-in staff member reading the page; `StaffOnly` for anyone else."""
    viewer = signed_in(db, request)
    if viewer is None or not viewer.is_staff:
        raise StaffOnly(viewer)
    return viewer


def staff_gate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """`staff` as the staff controllers' guard. Litestar runs guards before it reads the body:
    someone the page is not for is sent to sign in, not told what is wrong with the form.
    (The handler's own `staff` call then finds the viewer already looked up.)"""
    with Session(read_only(connection.app.state.engine)) as db:
        staff(db, connection)


def coming_back(request: Request[Any, Any, Any]) -> str:
    """Where signing in leads back to: this page, or for a form the page it was sent from (a
    post cannot be repeated by following a link)."""
    if request.method == "GET":
        return request.url.path
    return staff_views.path_of(request.headers.get("referer", "/"))


def staff_only_page(request: Request[Any, Any, Any], exc: StaffOnly) -> HtmlResponse:
    """The sign-in page, coming back here afterwards."""
    if exc.viewer is None:
        return sign_in_page(request, None, coming_back(request))
    return sign_in_page(
        request,
        exc.viewer,
        coming_back(request),
        status_code=HTTP_403_FORBIDDEN,
        error=N_("This page is for secretariat staff. Sign in with a staff account."),
    )


def refused(db: Session, error: DomainError) -> str:
    """Undo what the refused command wrote so far (the page is still answered, so the request's
    unit of work would commit) and say why, for the page."""
    db.rollback()
    return str(error)
