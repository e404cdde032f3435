"""User-written Markdown to HTML that is safe to put in a page, an email or a PDF.

Agenda descriptions, minutes and news are written by people in Markdown. markdown-it-py renders
it (CommonMark, raw HTML disabled so that `<script>` stays text), and nh3 (the Ammonia
sanitiser) removes anything that slipped through, such as `javascript:` links, so the result can
be marked safe for Jinja.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# The tags Markdown itself produces; nothing else can be needed.
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """HTML for `text`, safe to embed: raw HTML in the input is shown as text."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
