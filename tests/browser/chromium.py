"""Driving Debian's /usr/bin/chromium (never a browser Playwright downloads): its arguments,
screenshots at desktop and phone widths, and the axe-core accessibility check."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


def axe_script() -> str:
    """axe-core from the npm registry, installed from the lock file on first use.

    Under a file lock: test workers start browser tests at once, and `npm ci` empties
    node_modules first, so a second install would pull the file from under the first reader."""
    with (HERE / ".axe-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE.exists():
            npm = shutil.which("npm")
            assert npm, "npm is needed to install axe-core for the accessibility check"
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300
            )
        return AXE.read_text(encoding="utf-8")


def screenshot_folder(default: Path) -> Path:
    """Where screenshots go: VDO_SCREENSHOTS, else `default`."""
    shots = Path(os.environ.get("VDO_SCREENSHOTS") or default)
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def screenshots(page: Any, shots: Path, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(content=axe_script())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(f"{n['target']}: {n['failureSummary']}" for n in v["nodes"])
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
