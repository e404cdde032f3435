"""Reminders, ending BigBlueButton rooms through the outbox, and the webhook receivers API."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytz
from litestar.testing import TestClient
from sqlalchemy import Engine

from service.db import session_scope
from service.delivery import worker
from service.delivery.reminders import enqueue_due_reminders
from service.settings import Settings
from tests.integration.calendar_network import headers_of_person
from tests.integration.network import make_bridge
from tests.integration.outbox_world import (
    all_messages,
    book,
    build_world,
    in_days,
    worker_settings,
)
from tests.support.fake_bbb import FakeBigBlueButton
from tests.support.mail_catcher import MailCatcher


def _reminder_keys(engine: Engine) -> list[str]:
    return sorted(m.dedupe_key for m in all_messages(engine) if m.dedupe_key.startswith("rem"))


def test_reminders_go_once_to_invitees_who_have_not_declined(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    world = build_world(client, staff_headers)
    session = book(
        client, staff_headers, world, [world.somchai, world.wei], start=in_days(3).isoformat()
    )
    declined = client.post(
        f"/api/v1/sessions/{session['id']}/rsvp",
        headers=headers_of_person(engine, world.somchai),
        json={"answer": "declined"},
    )
    assert declined.status_code == 200, declined.text
    start = datetime.fromisoformat(session["start"])

    with session_scope(engine) as db:
        assert enqueue_due_reminders(db, settings, now=start - timedelta(days=2)) == 0
        assert enqueue_due_reminders(db, settings, now=start - timedelta(hours=23)) == 1
        assert enqueue_due_reminders(db, settings, now=start - timedelta(hours=22)) == 0
        # A worker that was away sends only the nearest reminder, and each once.
        assert enqueue_due_reminders(db, settings, now=start - timedelta(minutes=50)) == 1
        assert enqueue_due_reminders(db, settings, now=start - timedelta(minutes=40)) == 0
    assert _reminder_keys(engine) == [
        f"reminder:{session['id']}:1440m:p{world.wei}",
        f"reminder:{session['id']}:60m:p{world.wei}",
    ]

    worker.drain(engine, worker_settings(settings, catcher, reminder_offsets=()))
    reminders = [m for m in catcher.messages() if str(m["Subject"]).startswith("Reminder")]
    local = start.astimezone(pytz.timezone("Asia/Singapore"))
    assert [str(m["Subject"]) for m in reminders] == [
        f"Reminder: Steering committee, {local:%Y-%m-%d %H:%M}"
    ] * 2
    assert all(m["To"].addresses[0].addr_spec == "wei@psd.example.sg" for m in reminders)
    assert all(m["List-Unsubscribe"] for m in reminders)


def test_cancelling_a_bigbluebutton_session_ends_its_room_through_the_outbox(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    bbb = FakeBigBlueButton("fake-bbb-shared-secret")
    bbb.start()
    try:
        world = build_world(client, staff_headers)
        bridge = make_bridge(
            client, staff_headers, "BBB", "bigbluebutton", bbb.bridge_settings(timeout_seconds=3)
        )
        session = book(client, staff_headers, world, [world.wei], bridge_id=bridge)
        meeting_id = next(iter(bbb.meetings))
        bbb.fail_with_status = 502  # BigBlueButton is away when the session is cancelled
        cancelled = client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=staff_headers)
        assert cancelled.status_code == 200, cancelled.text
        sending = worker_settings(settings, catcher, backoff_seconds=0.3, backoff_max_seconds=0.3)

        worker.drain(engine, sending)
        [ending] = [m for m in all_messages(engine) if m.kind == "end_meeting"]
        assert (ending.state, ending.attempts) == ("pending", 1)
        assert bbb.ended == []

        bbb.fail_with_status = None
        time.sleep(0.35)
        worker.drain(engine, sending)
    finally:
        bbb.stop()
    assert bbb.ended == [meeting_id]
    assert {m.state for m in all_messages(engine)} == {"sent"}


def test_only_administrators_manage_webhook_receivers_and_secrets_show_once(
    client: TestClient, staff_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    body = {"url": "https://hooks.example.org/vdo", "event_types": ["session.cancelled"]}
    assert client.post("/api/v1/webhooks", headers=staff_headers, json=body).status_code == 403
    unknown = client.post("/api/v1/webhooks", headers=admin_headers, json=body | {"colour": "red"})
    assert unknown.status_code == 400
    assert "colour" in unknown.text
    wrong_type = client.post(
        "/api/v1/webhooks", headers=admin_headers, json=body | {"event_types": ["session.eaten"]}
    )
    assert wrong_type.status_code == 400
    assert "event_types" in wrong_type.text

    created = client.post("/api/v1/webhooks", headers=admin_headers, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=admin_headers).json()
    assert [r["url"] for r in listed] == ["https://hooks.example.org/vdo"]
    assert "secret" not in listed[0]
    receiver_id = created.json()["id"]
    paused = client.patch(
        f"/api/v1/webhooks/{receiver_id}", headers=admin_headers, json={"active": False}
    )
    assert paused.json()["active"] is False
    assert (
        client.delete(f"/api/v1/webhooks/{receiver_id}", headers=admin_headers).status_code == 204
    )
    assert client.get("/api/v1/webhooks", headers=admin_headers).json() == []
