"""`vdo user create --person` and `vdo user deactivate`, run as an administrator would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text

from service.app import create_app
from service.settings import Settings
from tests.support.vdo_command import VDO


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(VDO + args, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str]:
    env = os.environ | {"VDO_DATABASE_URL": database_url}
    assert _run(["db", "upgrade"], env).returncode == 0
    return env


def _person_id(database_url: str, email: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM person WHERE email = :e"), {"e": email})
        person_id = int(found.scalar_one())
    engine.dispose()
    return person_id


def _me(database_url: str, token: str):
    app = create_app(Settings(database_url=database_url, log_requests=False))
    with TestClient(app=app) as client:
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_a_delegate_account_is_linked_to_its_person_and_can_be_deactivated(
    cli_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("name,email,country\nAnan Chaiyaporn,anan@opdc.example.th,TH\n")
    assert _run(["import", "people", str(people)], cli_env).returncode == 0
    anan = _person_id(database_url, "anan@opdc.example.th")

    args = ["user", "create", "anan@opdc.example.th", "--name", "Anan", "--role", "delegate"]
    created = _run([*args, "--person", str(anan)], cli_env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    me = _me(database_url, token)
    assert me.status_code == 200
    assert me.json()["person_id"] == anan

    unknown = _run(["user", "create", "x@example.org", "--name", "X", "--role", "delegate",
                    "--person", "999999"], cli_env)  # fmt: skip
    assert unknown.returncode == 1
    assert "person_id" in unknown.stderr

    deactivated = _run(["user", "deactivate", "Anan@opdc.example.th"], cli_env)
    assert deactivated.returncode == 0, deactivated.stderr
    assert "anan@opdc.example.th" in deactivated.stdout
    assert _me(database_url, token).status_code == 401

    nobody = _run(["user", "deactivate", "nobody@example.org"], cli_env)
    assert nobody.returncode == 1
    assert "nobody@example.org" in nobody.stderr
