"""The interface's languages: gettext catalogues read with Babel, and who reads in which.

Templates mark their text with `{% trans %}` and `_()` (jinja2.ext.i18n, installed in the one
environment by `service.rendering.templates`); the English text is the message id, so English
needs no catalogue. Thai comes from `locale/th/LC_MESSAGES/messages.po` beside this module,
compiled in memory the first time it is needed: no binary `.mo` is kept in the repository, and
an edited `.po` is what runs. `make messages` extracts new text from the templates into the
catalogue (babel.cfg says where to look).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context

LANGUAGES = ("en", "th")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "th": "ไทย"}
LOCALE_DIR = Path(__file__).parent / "locale"
MAX_ACCEPT_LANGUAGE = 500  # characters of the header looked at; real ones are far shorter


def N_(message: str) -> str:
    """Marks text built in Python for the catalogue; a template translates it with `_()`."""
    return message


@cache
def translations(language: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalogue of `language`; English, the message ids themselves, has none."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return stdlib_gettext.NullTranslations()
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def language_of(context: Context) -> str:
    """The language a template is rendered in: its `interface_language`, else English."""
    language = context.get("interface_language", DEFAULT_LANGUAGE)
    return language if isinstance(language, str) else DEFAULT_LANGUAGE


@pass_context
def context_gettext(context: Context, message: str) -> str:
    """gettext for a template: the language is the render's `interface_language` variable, so
    one shared environment serves readers of every language at once."""
    return translations(language_of(context)).gettext(message)


@pass_context
def context_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return translations(language_of(context)).ngettext(singular, plural, count)


def _ranked_tags(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (RFC 9110 12.5.4)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")):
        tag, _, parameters = item.partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if tag.strip() and weight > 0:
            ranked.append((-weight, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def chosen_language(picked: str | None, accept_language: str | None) -> str:
    """The reader's pick (the language cookie) if it is one we have, else the best match for the
    browser's Accept-Language, else English."""
    if picked in LANGUAGES:
        return str(picked)
    found: Any = negotiate_locale(_ranked_tags(accept_language or ""), LANGUAGES, sep="-")
    return found if isinstance(found, str) else DEFAULT_LANGUAGE
