"""The built wheel on its own: installed without `-e`, away from the checkout, it migrates and
renders its templates; and the lock files that `make` and the Dockerfile install from match
pyproject.toml.

The wheel is built and installed offline (no build isolation, no index) so the test needs no
network: the build backend comes with the dev lock. The fresh environment sees this one's
third-party packages through a path file, which adds their folder but not this checkout (path
files inside an added folder are not read), so `service` can only come from the wheel.
"""

from __future__ import annotations

import os
import site
import sqlite3
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_wheel_ships_migrations_and_templates_and_upgrades_a_database(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, ROOT], tmp_path)
    (wheel,) = wheels.glob("*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    target = Path(_run([python, "-c", purelib], tmp_path).strip())
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run([*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], tmp_path)

    database = tmp_path / "wheel.sqlite3"
    env = {"PATH": os.environ["PATH"], "VDO_DATABASE_URL": f"sqlite:///{database}"}
    where = _run([python, "-c", "import service; print(service.__file__)"], tmp_path, env)
    assert Path(where).is_relative_to(target)
    templates = "from service.rendering.templates import template_dir; print(template_dir())"
    assert Path(_run([python, "-c", templates], tmp_path, env).strip()).is_relative_to(target)
    page = "from service.rendering.templates import render; print(render('page.html'))"
    assert "<!doctype html>" in _run([python, "-c", page], tmp_path, env)
    # The Thai catalogue ships as its .po, compiled when first used.
    thai = "from service.rendering.i18n import translations as t; print(t('th').gettext('Sign in'))"
    assert _run([python, "-c", thai], tmp_path, env).strip() == "เข้าสู่ระบบ"
    out = _run([env_dir / "bin" / "vdo", "db", "upgrade"], tmp_path, env)
    assert "database at head; 11 member countries added" in out
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"country", "person", "alembic_version"} <= tables


def _pins(lock: str) -> dict[str, Version]:
    """Name to version for each `name==version` line of a lock file (hash lines skipped)."""
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            requirement = Requirement(line.split(";")[0].rstrip(" \\"))
            pins[canonicalize_name(requirement.name)] = Version(str(requirement.specifier)[2:])
    return pins


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("requirements.lock", ["runtime"]), ("requirements-dev.lock", ["runtime", "dev"])],
)
def test_the_locks_pin_every_declared_dependency_within_its_range(
    lock: str, groups: list[str]
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {"runtime": project["dependencies"], **project["optional-dependencies"]}
    pins = _pins(lock)
    stale = [
        spec
        for group in groups
        for spec in map(Requirement, declared[group])
        if pins.get(canonicalize_name(spec.name)) not in spec.specifier
    ]
    assert stale == [], f"run `make lock`: {lock} does not satisfy {stale}"


def test_the_docker_image_installs_the_runtime_lock_and_the_package_not_editable() -> None:
    installs = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if "pip install" in line
    ]
    assert any("requirements.lock" in line for line in installs)
    assert not any(" -e " in line or "--editable" in line for line in installs)
