"""The shared Jinja environment, and the rule that no HTML is written in Python strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from service.rendering.templates import environment, render, template_dir

ROOT = Path(__file__).resolve().parents[3]
# An HTML start tag of an element a page is made of, as it would appear in a Python literal.
_HTML_TAG = re.compile(r"<(html|head|body|p|h[1-6]|form|button|strong|div|span|a|ul|li)[\s>]")


def test_templates_come_from_the_checkout_when_not_installed_from_a_wheel() -> None:
    assert template_dir() == ROOT / "templates"
    assert environment() is environment()


def test_html_templates_escape_their_values() -> None:
    page = render("rsvp/answered.html", title="<script>x</script>", answer=_Answer(), sessions=1)
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>" not in page


def test_a_missing_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(UndefinedError):
        render("rsvp/answered.html", answer=_Answer(), sessions=1)


def test_no_html_is_built_in_python_strings() -> None:
    offenders = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                docstring_like = "\n" in node.value and node.value.strip().endswith(".")
                if _HTML_TAG.search(node.value) and not docstring_like:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "HTML belongs in templates/: " + ", ".join(offenders)


class _Answer:
    label = "Accept"
