"""A `Circular` as HTML and plain text (Jinja), PDF (WeasyPrint) and DOCX (python-docx).

Pure functions of the value: no database, so previews, issuing, the CLI sample and the bench all
render the same way. User text (agenda descriptions, minutes, decisions) is Markdown; HTML gets it
through `render_markdown` (raw HTML shown as text), text and DOCX get the Markdown as written,
which python-docx stores as text, never as markup.

The PDF is set in Sarabun, the typeface of Thai government documents, from the `fontpkg-sarabun`
package (installed by pip with the project): Pango shapes Thai through HarfBuzz, so vowels and
tone marks above and below sit where they belong instead of printing as boxes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import fontpkg_sarabun
from docx import Document
from docx.shared import Pt

from service.circulars.documents import Circular, CircularKind
from service.circulars.models import DocumentFormat
from service.circulars.thai import english_date, thai_date
from service.directory.models import Language
from service.rendering.templates import render, template_dir

FONT_DIR = fontpkg_sarabun.ROOT / "files"
PREVIEW_MARK = {Language.en: "PREVIEW: not issued", Language.th: "ร่าง: ยังไม่ได้ออกเลขที่"}


@dataclass(frozen=True)
class RenderedCircular:
    """Every representation of one circular, as issued and stored."""

    html: bytes
    text: bytes
    pdf: bytes
    docx: bytes


def long_date(language: Language) -> Callable[[date], str]:
    return thai_date if language == Language.th else english_date


def _context(circular: Circular) -> dict[str, Any]:
    body = circular.body
    return {
        "c": circular,
        "long_date": long_date(circular.language),
        "body_name": body.name_th if circular.language == Language.th else body.name_en,
        "number_line": (
            circular.number.line(circular.language)
            if circular.number
            else PREVIEW_MARK[circular.language]
        ),
    }


def _render(circular: Circular, suffix: str) -> str:
    name = f"circulars/{circular.language.value}/{circular.kind.value}.{suffix}"
    return render(name, **_context(circular))


def render_html(circular: Circular) -> str:
    return _render(circular, "html")


def render_text(circular: Circular) -> str:
    """The plain-text form: the body of the email that carries the circular."""
    return _render(circular, "txt")


@lru_cache(maxsize=1)
def _pdf_fonts() -> tuple[Any, Any]:
    # Imported late: WeasyPrint loads Pango when imported, which only PDF rendering needs.
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    faces = "\n".join(
        f"@font-face {{ font-family: Sarabun; font-weight: {weight}; font-style: {style};"
        f" src: url({(FONT_DIR / f'Sarabun-{name}.ttf').as_uri()}); }}"
        for name, weight, style in (
            ("Regular", 400, "normal"),
            ("Bold", 700, "normal"),
            ("Italic", 400, "italic"),
            ("BoldItalic", 700, "italic"),
        )
    )
    return CSS(string=faces, font_config=fonts), fonts


def render_pdf(html: str) -> bytes:
    """The circular's HTML printed to PDF (its print CSS applies)."""
    from weasyprint import HTML

    faces, fonts = _pdf_fonts()
    pdf: bytes = HTML(string=html, base_url=str(template_dir())).write_pdf(
        stylesheets=[faces], font_config=fonts
    )
    return pdf


DOCX_LABELS: dict[Language, dict[str, str]] = {
    Language.en: {
        "meeting": "Meeting",
        "agenda": "Agenda",
        "times": "Start time in each participant's zone",
        "zone": "Zone",
        "who": "Participants",
        "date": "Date",
        "start": "Start",
        "end": "End",
        "decisions": "Decisions",
        "actions": "Action items",
        "owner": "Owner",
        "due": "Due",
        "status": "Status",
        "corrects": "This circular corrects",
        "joining": "Joining details",
    },
    Language.th: {
        "meeting": "การประชุม",
        "agenda": "ระเบียบวาระการประชุม",
        "times": "เวลาเริ่มประชุมตามเขตเวลาของผู้เข้าร่วม",
        "zone": "เขตเวลา",
        "who": "ผู้เข้าร่วม",
        "date": "วันที่",
        "start": "เริ่ม",
        "end": "สิ้นสุด",
        "decisions": "มติที่ประชุม",
        "actions": "รายการที่ต้องดำเนินการ",
        "owner": "ผู้รับผิดชอบ",
        "due": "กำหนดเสร็จ",
        "status": "สถานะ",
        "corrects": "หนังสือนี้แก้ไขหนังสือ",
        "joining": "รายละเอียดการเข้าร่วมประชุม",
    },
}


def render_docx(circular: Circular) -> bytes:
    """A Word document with the circular's content, for delegations that edit and forward it."""
    labels = DOCX_LABELS[circular.language]
    dated = long_date(circular.language)
    context = _context(circular)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Sarabun"
    style.font.size = Pt(14 if circular.language == Language.th else 11)
    document.add_paragraph(context["body_name"])
    document.add_paragraph(context["number_line"])
    document.add_paragraph(dated(circular.issued_on))
    document.add_heading(circular.heading, level=1)
    document.add_paragraph(f"{labels['meeting']}: {circular.session_title}")
    if circular.corrects:
        document.add_paragraph(f"{labels['corrects']} {circular.corrects}")
    if circular.message:
        document.add_paragraph(circular.message)
    if circular.zone_times:
        document.add_heading(labels["times"], level=2)
        rows: list[tuple[str, ...]] = [
            (labels["zone"], labels["who"], labels["date"], labels["start"], labels["end"])
        ]
        rows += [
            (t.zone, t.who, dated(t.start.date()), f"{t.start:%H:%M}", f"{t.end:%H:%M}")
            for t in circular.zone_times
        ]
        _table(document, rows)
    if circular.joining:
        document.add_heading(labels["joining"], level=2)
        joining = circular.joining
        for value in (joining.join_url, joining.meeting_id, joining.passcode, *joining.dial_ins):
            if value:
                document.add_paragraph(value)
    if circular.kind == CircularKind.notice:
        document.add_heading(labels["agenda"], level=2)
        for line in circular.agenda:
            document.add_paragraph(f"{line.number}. {line.title}")
            if line.description:
                document.add_paragraph(line.description)
    if circular.minutes:
        for item in circular.minutes.items:
            document.add_heading(f"{item.number}. {item.title}", level=2)
            if item.summary:
                document.add_paragraph(item.summary)
            for decision in item.decisions:
                document.add_paragraph(f"{labels['decisions']} {decision.number}: {decision.text}")
            _action_table(document, item.actions, labels, dated)
        if circular.minutes.free_text:
            document.add_paragraph(circular.minutes.free_text)
    _action_table(document, circular.actions, labels, dated)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _action_table(
    document: Any, actions: tuple[Any, ...], labels: dict[str, str], dated: Callable[[date], str]
) -> None:
    if not actions:
        return
    rows: list[tuple[str, ...]] = [
        (labels["actions"], labels["owner"], labels["due"], labels["status"])
    ]
    rows += [(a.text, a.owner, dated(a.due) if a.due else "", a.status.value) for a in actions]
    _table(document, rows)


def _table(document: Any, rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def render_as(circular: Circular, fmt: DocumentFormat) -> bytes:
    """One representation, for previews and samples."""
    if fmt == DocumentFormat.html:
        return render_html(circular).encode()
    if fmt == DocumentFormat.txt:
        return render_text(circular).encode()
    if fmt == DocumentFormat.pdf:
        return render_pdf(render_html(circular))
    return render_docx(circular)


def render_all(circular: Circular) -> RenderedCircular:
    html = render_html(circular)
    return RenderedCircular(
        html=html.encode(),
        text=render_text(circular).encode(),
        pdf=render_pdf(html),
        docx=render_docx(circular),
    )
