"""The one Jinja environment of the service: every page, email body and text block it renders.

Templates live in the top-level `templates/` folder, which the wheel ships as
`service/_templates` (see pyproject.toml, the same arrangement as the migrations). Autoescaping
is on for HTML templates and off for `.txt` ones, whose output goes into iCalendar text and
plain-text email where an `&amp;` would be a visible mistake; a variable missing from the
context is an error rather than an empty string, so a renamed field cannot silently vanish from
an invite.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.rendering.dates import written_for_reader
from service.rendering.i18n import context_gettext, context_ngettext
from service.rendering.markdown import render_markdown

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def template_dir() -> Path:
    """The templates: in the package when installed from a wheel, else the checkout's."""
    packaged = PACKAGE_DIR / "_templates"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "templates"


@cache
def environment() -> Environment:
    """The shared environment, made once per process (Jinja caches compiled templates in it)."""
    shared = Environment(
        loader=FileSystemLoader(template_dir()),
        autoescape=select_autoescape(enabled_extensions=("html", "xml"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # The pages' text in the reader's language: `{% trans %}` and `_()` look up the render's
    # `interface_language` variable (service.rendering.i18n); without one, English.
    shared.install_gettext_callables(  # type: ignore[attr-defined]
        context_gettext, context_ngettext, newstyle=True
    )
    # User-written Markdown (circulars' bodies), sanitised to HTML.
    shared.filters["markdown"] = render_markdown
    # Dates in the reader's language: `{{ day | written("EEE d MMM y") }}`.
    shared.filters["written"] = written_for_reader
    return shared


def render(name: str, /, **context: Any) -> str:
    """The template `name` (a path under templates/, e.g. "rsvp/answered.html") filled in."""
    return environment().get_template(name).render(**context)
