"""Email text from the Jinja templates in templates/email/{language}/: subject, text and HTML.

A template missing in a language falls back to English (the organiser's copies exist in English
only). HTML is autoescaped; subjects are one line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytz

from service.delivery.mail import Body
from service.rendering import templates

LANGUAGES = ("en", "th")


def _template_name(language: str, name: str) -> str:
    language = language if language in LANGUAGES else "en"
    if (templates.template_dir() / "email" / language / name).exists():
        return f"email/{language}/{name}"
    return f"email/en/{name}"


def subject_of(language: str, template: str, context: dict[str, Any]) -> str:
    """The one-line subject of `template` in the language."""
    subject = templates.render(_template_name(language, f"{template}.subject.txt"), **context)
    return " ".join(subject.split())


def render(language: str, template: str, context: dict[str, Any]) -> tuple[str, Body]:
    """(subject, body) of `template` ("session", "reminder", "answer") in the language."""

    def one(suffix: str) -> str:
        return templates.render(_template_name(language, f"{template}.{suffix}"), **context)

    return subject_of(language, template, context), Body(text=one("txt"), html=one("html"))


def local_time(moment: datetime, zone: str) -> str:
    """A time as the recipient reads it, e.g. "2026-12-03 14:00" in their zone."""
    return f"{moment.astimezone(pytz.timezone(zone)):%Y-%m-%d %H:%M}"
