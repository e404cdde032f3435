"""The project explains itself: the README's layout matches the code, and docs link within it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
TOP_LEVEL_DIRECTORIES = ("alembic", "docs", "templates", "tests", "bench")


def _layout_paths() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    return {path.rstrip("/") for cell in first_cells for path in re.findall(r"`([^`]+)`", cell)}


def test_every_path_in_the_layout_table_exists() -> None:
    missing = [p for p in sorted(_layout_paths()) if "<" not in p and not (ROOT / p).exists()]
    assert missing == []


def test_the_layout_table_names_every_module_area_and_directory() -> None:
    service = ROOT / "service"
    modules = [p for p in service.glob("*.py") if p.name != "__init__.py"]
    areas = [p for p in service.iterdir() if p.is_dir() and p.name != "__pycache__"]
    expected = {str(p.relative_to(ROOT)) for p in [*modules, *areas]} | set(TOP_LEVEL_DIRECTORIES)
    assert sorted(expected - _layout_paths()) == []


def _anchors(document: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", document.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_relative_links_lead_to_files_and_headings_inside_the_repository(
    document: Path,
) -> None:
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        inside = linked.is_relative_to(ROOT)
        if not inside or not linked.exists() or (anchor and anchor not in _anchors(linked)):
            broken.append(target)
    assert broken == []


def test_nothing_points_at_design_notes_outside_the_repository() -> None:
    outside = ("DESIGN" + ".md", "../shared")
    files = [
        *DOCUMENTS,
        *(ROOT / "service").rglob("*.py"),
        *(ROOT / "alembic").rglob("*.py"),
        *(ROOT / "bench").rglob("*.py"),
        ROOT / "Makefile",
        ROOT / "compose.yaml",
        ROOT / "Dockerfile",
    ]
    mentions = [
        str(path.relative_to(ROOT))
        for path in files
        if any(word in path.read_text(encoding="utf-8") for word in outside)
    ]
    assert mentions == []
