"""What `vdo serve` writes to its output while serving private feeds and answer links."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.vdo_command import VDO


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(VDO + args, env=env, capture_output=True, text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_served_log_has_no_feed_or_answer_tokens(tmp_path: Path) -> None:
    env = os.environ | {
        "VDO_DATABASE_URL": f"sqlite:///{tmp_path / 'vdo.sqlite3'}",
        "VDO_LOG_REQUESTS": "true",
    }
    assert _run(["db", "upgrade"], env).returncode == 0
    demo = _run(["demo"], env)
    assert demo.returncode == 0, demo.stderr
    token = next(
        line.split(": ")[1]
        for line in demo.stdout.splitlines()
        if line.startswith("secretariat token:")
    )
    port = _free_port()
    server = subprocess.Popen(
        [*VDO, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        staff = {"Authorization": f"Bearer {token}"}
        person = httpx.get(f"{base}/api/v1/people?limit=1", headers=staff).json()["items"][0]
        issued = httpx.post(f"{base}/api/v1/people/{person['id']}/feed-token", headers=staff)
        feed_url = issued.json()["url"]
        feed_token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
        assert httpx.get(f"{base}/feeds/{feed_token}.ics").status_code == 200
        answer_mac = "A" * 22
        httpx.get(f"{base}/rsvp/1.{person['id']}.{answer_mac}?answer=accepted")
        time.sleep(0.5)  # let the log lines be written
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "/feeds/<redacted>.ics" in output
    assert feed_token not in output
    assert answer_mac not in output
