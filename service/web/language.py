"""Which language a reader gets the pages in: their pick, kept in a cookie, else their
browser's Accept-Language, else English (`service.rendering.i18n` has the catalogues)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from service.rendering.i18n import chosen_language

LANGUAGE_COOKIE = "vdo_lang"


def reader_language(request: Request[Any, Any, Any]) -> str:
    return chosen_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
