"""The `vdo` command as a user runs it: subprocesses against a real database and server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS, PostgresDatabases
from tests.support.vdo_command import VDO


def _run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        VDO + args, env=env, capture_output=True, text=True, timeout=120, **kwargs
    )


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = os.environ | {"VDO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    assert _run(["db", "upgrade"], env).returncode == 0
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_user_create_prints_the_token_last_and_it_works(cli_env: dict[str, str]) -> None:
    created = _run(
        [
            "user",
            "create",
            "officer@example.org",
            "--name",
            "Officer",
            "--role",
            "secretariat",
            "--password",
            "long-enough-pw",
        ],
        cli_env,
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vdo_")
    assert len(token) > 40
    again = _run(
        ["user", "create", "officer@example.org", "--name", "O", "--role", "admin"], cli_env
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr
    bad = _run(["user", "create", "x@example.org", "--name", "X", "--role", "king"], cli_env)
    assert bad.returncode == 2
    assert "invalid choice" in bad.stderr


def test_import_reports_bad_rows_and_imports_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("name,email,country,zone\nA,a@example.org,TH,\nB,b@example.org,TH,Mars\n")
    refused = _run(["import", "people", str(csv_file)], cli_env)
    assert refused.returncode == 1
    assert "row 3, zone" in refused.stderr
    csv_file.write_text("name,email,country\nA,a@example.org,TH\nB,b@example.org,MM\n")
    done = _run(["import", "people", str(csv_file)], cli_env)
    assert done.returncode == 0, done.stderr
    assert "imported 2 people" in done.stdout


def test_production_mode_refuses_the_default_secret(cli_env: dict[str, str]) -> None:
    result = _run(["db", "upgrade"], cli_env | {"VDO_PRODUCTION": "true"})
    assert result.returncode == 2
    assert "VDO_SECRET_KEY" in result.stderr


def test_demo_then_serve_lists_the_members(cli_env: dict[str, str]) -> None:
    first = _run(["demo"], cli_env)
    assert first.returncode == 0, first.stderr
    second = _run(["demo"], cli_env)
    nothing_added = "0 countries, 0 agencies, 0 people, 0 bridges, 0 calendar entries, 0 users"
    assert f"added: {nothing_added}" in second.stdout
    token = next(
        line.split(": ")[1]
        for line in second.stdout.splitlines()
        if line.startswith("secretariat token:")
    )
    port = _free_port()
    server = subprocess.Popen(
        [*VDO, "serve", "--port", str(port)],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.json()["database"] == "ok"
        assert httpx.get(f"{base}/api/v1/countries").status_code == 401
        countries = httpx.get(
            f"{base}/api/v1/countries", headers={"Authorization": f"Bearer {token}"}
        ).json()
        zones = {c["code"]: c["capital_zone"] for c in countries if c["is_member"]}
        assert len(zones) == 11
        assert zones["TL"] == "Asia/Dili"
        assert zones["MM"] == "Asia/Yangon"
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}" in output


def test_series_extend_runs_on_the_system_clock(cli_env: dict[str, str]) -> None:
    assert _run(["demo"], cli_env).returncode == 0
    extended = _run(["series", "extend"], cli_env)
    assert extended.returncode == 0, extended.stderr
    # The demo's series was just booked up to the horizon: nothing new is due yet.
    assert "0 occurrences added" in extended.stdout


def test_several_web_processes_need_postgresql(cli_env: dict[str, str]) -> None:
    refused = _run(["serve", "--workers", "2"], cli_env)
    assert refused.returncode == 2
    assert "need PostgreSQL" in refused.stderr


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not in this run")
def test_serve_runs_several_processes_on_postgresql(
    postgres_databases: PostgresDatabases,
) -> None:
    env = os.environ | {"VDO_DATABASE_URL": postgres_databases.create("workers")}
    assert _run(["db", "upgrade"], env).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [*VDO, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health").json()["database"] == "ok":
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert httpx.get(f"{base}/feeds/public.ics").status_code == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    started = set(re.findall(r"Started server process \[(\d+)\]", output))
    assert len(started) == 2, output
