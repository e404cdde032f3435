"""Email text from the Jinja templates in templates/email/{language}/: subject, text and HTML.

A template missing in a language falls back to English (the organiser's copies exist in English
only). HTML is autoescaped; subjects are one line.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytz
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.delivery.mail import Body

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
LANGUAGES = ("en", "th")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def _template_name(language: str, name: str) -> str:
    language = language if language in LANGUAGES else "en"
    if (TEMPLATES / language / name).exists():
        return f"{language}/{name}"
    return f"en/{name}"


def render(language: str, template: str, context: dict[str, Any]) -> tuple[str, Body]:
    """(subject, body) of `template` ("session", "reminder", "answer") in the language."""
    environment = _environment()

    def one(suffix: str) -> str:
        name = _template_name(language, f"{template}.{suffix}")
        return environment.get_template(name).render(**context)

    subject = " ".join(one("subject.txt").split())
    return subject, Body(text=one("txt"), html=one("html"))


def local_time(moment: datetime, zone: str) -> str:
    """A time as the recipient reads it, e.g. "2026-12-03 14:00" in their zone."""
    return f"{moment.astimezone(pytz.timezone(zone)):%Y-%m-%d %H:%M}"
