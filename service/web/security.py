"""What protects the pages: security headers on every response, the sign-in session cookie and
CSRF tokens on every form.

The session is Litestar's encrypted client-side cookie (AES-GCM): it survives restarts and needs
no shared store, and holds nothing but the signed-in user's id. Its key and the CSRF key are
derived from VDO_SECRET_KEY, each with a label of its own, so neither can stand in for the other
or for an answer link's signature.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import Message, Scope

from service.settings import Settings

SESSION_COOKIE = "vdo_session"
CSRF_COOKIE = "vdo_csrf"
CSRF_FIELD = "_csrf_token"  # the form field Litestar's CSRF middleware reads
SESSION_HOURS = 12

# No inline scripts or styles at all: the pages need none, and an injected <script> cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}
_ENCODED_SECURITY_HEADERS = [
    (name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Adds SECURITY_HEADERS to every response that does not set them itself (an application
    `before_send` hook: it sees the "not found" answers no route handles too).

    The API documentation under /schema is left alone: its viewers load scripts the policy
    would block."""
    if message["type"] != "http.response.start" or scope["path"].startswith("/schema"):
        return
    # Raw header pairs and one set of the names present: this runs on every response, and
    # MutableScopeHeaders scans the whole list for each lookup (a fifth of a feed poll's cost).
    headers = list(message.get("headers", ()))
    present = {name.lower() for name, _ in headers}
    missing = [header for header in _ENCODED_SECURITY_HEADERS if header[0] not in present]
    if missing:
        message["headers"] = headers + missing


def _derived_key(settings: Settings, label: str) -> bytes:
    return hashlib.sha256(f"vdo-web-{label}:{settings.secret_key}".encode()).digest()


def served_over_https(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def session_config(settings: Settings) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=_derived_key(settings, "session"),
        key=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=served_over_https(settings),
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=_derived_key(settings, "csrf").hex(),
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=served_over_https(settings),
    )


def csrf_token(scope: Scope) -> str:
    """The token this request's forms carry (set by the CSRF middleware on every page)."""
    from litestar.utils.scope.state import ScopeState

    token: Any = ScopeState.from_scope(scope).csrf_token
    return token if isinstance(token, str) else ""
