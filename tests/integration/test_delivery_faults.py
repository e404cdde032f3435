"""Delivery survives outages and crashes: nothing lost, nothing sent twice on purpose.

The SMTP server is real (aiosmtpd, in process) and counts what arrives; workers run in process
or as `vdo worker` subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.delivery import webhooks, worker
from service.settings import Settings
from tests.integration.outbox_world import (
    JOIN_URL,
    PASSCODE,
    all_messages,
    book,
    build_world,
    in_days,
    queue_plain_emails,
    states,
    worker_settings,
)
from tests.support.mail_catcher import MailCatcher
from tests.support.vdo_command import VDO
from tests.support.webhook_receiver import WebhookReceiver


def _worker_process(
    engine: Engine, catcher: MailCatcher, tmp_path: Path, *args: str, **env: str
) -> subprocess.Popen[str]:
    environment = (
        os.environ
        | {
            "VDO_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "VDO_SECRET_KEY": "k" * 48,
            "VDO_DATA_DIR": str(tmp_path),
            "VDO_SMTP_URL": catcher.url,
            "VDO_OUTBOX_LEASE_SECONDS": "2",
        }
        | env
    )
    return subprocess.Popen(
        [*VDO, "worker", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.02)


def test_smtp_down_while_50_sessions_are_booked_then_each_mail_arrives_once(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    world = build_world(client, staff_headers)
    sending = worker_settings(settings, catcher, backoff_seconds=2.0, backoff_max_seconds=2.0)
    catcher.down()
    for number in range(50):
        book(client, staff_headers, world, [world.wei], start=in_days(7 + number).isoformat())

    worker.drain(engine, sending)

    assert states(engine) == {"pending": 50}
    assert all(
        m.attempts == 1 and "unreachable" in (m.last_error or "") for m in all_messages(engine)
    )
    catcher.up()
    time.sleep(2.1)  # the retries' backoff
    worker.drain(engine, sending)
    worker.drain(engine, sending)

    assert states(engine) == {"sent": 50}
    ids = catcher.message_ids()
    assert len(ids) == 50
    assert sorted(ids) == sorted(m.message_id for m in all_messages(engine))


def test_a_worker_killed_mid_batch_loses_nothing(
    engine: Engine, settings: Settings, catcher: MailCatcher, tmp_path: Path
) -> None:
    queue_plain_emails(engine, settings, 30)
    catcher.delay_seconds = 0.1
    process = _worker_process(engine, catcher, tmp_path, VDO_OUTBOX_BATCH_SIZE="10")
    try:
        _wait_for(lambda: len(catcher.arrived) >= 3, 30, "the worker to send some mail")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    assert states(engine).get("sending", 0) > 0  # claimed by the dead worker

    catcher.delay_seconds = 0
    time.sleep(2.1)  # its lease runs out
    worker.drain(engine, worker_settings(settings, catcher, lease_seconds=2.0))

    assert states(engine) == {"sent": 30}
    ids = catcher.message_ids()
    assert len(set(ids)) == 30
    # Only a message in flight at the kill can arrive twice, with the same Message-ID.
    assert len(ids) - 30 <= 1


def test_two_workers_on_postgresql_deliver_1000_messages_without_duplicates(
    engine: Engine, settings: Settings, catcher: MailCatcher, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("workers side by side are a PostgreSQL deployment")
    queue_plain_emails(engine, settings, 1000)
    catcher.delay_seconds = 0.002
    workers = [
        _worker_process(engine, catcher, tmp_path, "--once", VDO_OUTBOX_BATCH_SIZE="20")
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in workers]

    assert [process.returncode for process in workers] == [0, 0], outputs
    tried = [int(out.split()[0]) for out, _ in outputs]
    assert sum(tried) == 1000, tried
    assert min(tried) > 0, tried  # both took part
    ids = catcher.message_ids()
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    assert states(engine) == {"sent": 1000}


def test_a_webhook_receiver_answering_500_is_retried_and_later_succeeds(
    client: TestClient,
    staff_headers: dict[str, str],
    admin_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    receiver = WebhookReceiver(fail_first=1)
    receiver.start()
    try:
        registered = client.post(
            "/api/v1/webhooks",
            headers=admin_headers,
            json={"url": receiver.url, "event_types": ["session.booked"]},
        )
        assert registered.status_code == 201, registered.text
        secret = registered.json()["secret"]
        world = build_world(client, staff_headers)
        book(client, staff_headers, world, [world.wei])
        sending = worker_settings(settings, catcher, backoff_seconds=0.3, backoff_max_seconds=0.3)

        worker.drain(engine, sending)
        listed = client.get("/api/v1/outbox", headers=staff_headers, params={"state": "pending"})
        [waiting] = listed.json()["items"]
        assert waiting["kind"] == "webhook"
        assert waiting["attempts"] == 1
        assert waiting["last_error"] == "the receiver answered 500"

        time.sleep(0.35)
        worker.drain(engine, sending)
    finally:
        receiver.stop()

    assert [d.status for d in receiver.deliveries] == [500, 204]
    first, second = receiver.deliveries
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # the same message
    body = second.body.decode()
    assert second.headers["webhook-signature"] == webhooks.signature(
        secret, second.headers["webhook-id"], int(second.headers["webhook-timestamp"]), body
    )
    assert '"type":"session.booked"' in body
    assert PASSCODE not in body
    assert JOIN_URL not in body
    assert states(engine) == {"sent": 2}  # the webhook and the invite


def test_staff_retry_a_dead_message(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    queue_plain_emails(engine, settings, 1)
    catcher.down()
    worker.drain(engine, worker_settings(settings, catcher, max_attempts=1))
    [dead] = client.get("/api/v1/outbox", headers=staff_headers).json()["items"]
    assert (dead["state"], dead["attempts"]) == ("dead", 1)

    retried = client.post(f"/api/v1/outbox/{dead['id']}/retry", headers=staff_headers)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["attempts"]) == ("pending", 0)
    again = client.post(f"/api/v1/outbox/{dead['id']}/retry", headers=staff_headers)
    assert again.status_code == 409
    catcher.up()
    worker.drain(engine, worker_settings(settings, catcher))
    assert len(catcher.arrived) == 1
