"""Action items due within three days, or overdue, are emailed to their owners once each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine

from service.circulars.thai import english_date, thai_date
from service.db import session_scope
from service.delivery import worker
from service.delivery.reminders import enqueue_due_reminders
from service.directory.models import Language, Person
from service.settings import Settings
from tests.integration.minutes_world import build_world
from tests.integration.outbox_world import worker_settings
from tests.support.mail_catcher import MailCatcher


def _action(text: str, due: date, status: str = "open", **owner: object) -> dict:
    return {"text": text, "due": str(due), "status": status, **owner}


def test_open_action_items_due_soon_or_overdue_reach_their_owners_once(
    client: TestClient,
    staff_headers: dict[str, str],
    engine: Engine,
    settings: Settings,
    catcher: MailCatcher,
) -> None:
    world = build_world(engine)
    with session_scope(engine) as db:
        thai_delegate = db.get(Person, world.people["TH"])
        assert thai_delegate is not None
        thai_delegate.language = Language.th
        db.add(thai_delegate)
    # 05:00Z: the same day in Bangkok, Ho Chi Minh City and Singapore.
    now = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
    today = now.date()
    actions = [
        _action(
            "Circulate the survey", today + timedelta(days=3), owner_person_id=world.people["TH"]
        ),
        _action("Send the figures", today - timedelta(days=2), owner_country="SG"),
        _action("Draft the report", today + timedelta(days=4), owner_person_id=world.people["VN"]),
        _action("Book the venue", today + timedelta(days=1), "done", owner_country="TH"),
        _action("Old idea", today - timedelta(days=5), "dropped", owner_country="SG"),
    ]
    minutes = f"/api/v1/sessions/{world.session}/minutes"
    body = {
        "base_revision": 0,
        "items": [{"number": "4", "title": "Substantive items", "actions": actions}],
    }
    assert client.put(minutes, headers=staff_headers, json=body).status_code == 200

    with session_scope(engine) as db:  # draft minutes remind nobody
        assert enqueue_due_reminders(db, settings, now=now) == 0
    deadline = (now + timedelta(days=7)).isoformat()
    circulated = client.post(
        f"{minutes}/circulate", headers=staff_headers, json={"deadline": deadline}
    )
    assert circulated.status_code == 200, circulated.text

    with session_scope(engine) as db:
        assert enqueue_due_reminders(db, settings, now=now) == 2
        assert enqueue_due_reminders(db, settings, now=now + timedelta(hours=6)) == 0
        # A day on, the report is due in three days.
        assert enqueue_due_reminders(db, settings, now=now + timedelta(days=1)) == 1
        assert enqueue_due_reminders(db, settings, now=now + timedelta(days=2)) == 0

    worker.drain(engine, worker_settings(settings, catcher, reminder_offsets=()))
    mails = {str(m["To"].addresses[0].addr_spec): m for m in catcher.messages()}
    assert set(mails) == {"th@minutes.example", "sg@minutes.example", "vn@minutes.example"}
    assert len(catcher.messages()) == 3
    title = "Monthly coordination 2"
    assert mails["sg@minutes.example"]["Subject"] == f"Overdue: action item of {title}"
    assert mails["vn@minutes.example"]["Subject"] == (
        f"Due {english_date(today + timedelta(days=4))}: action item of {title}"
    )
    thai = mails["th@minutes.example"]
    due_in_thai = thai_date(today + timedelta(days=3))  # Buddhist Era year
    assert thai["Subject"] == f"กำหนดเสร็จ {due_in_thai}: รายการที่ต้องดำเนินการของ {title}"
    assert "Circulate the survey" in thai.get_body(preferencelist=("plain",)).get_content()
    assert all(m["List-Unsubscribe"] for m in mails.values())


def test_a_changed_due_date_is_reminded_again(
    client: TestClient, staff_headers: dict[str, str], engine: Engine, settings: Settings
) -> None:
    world = build_world(engine)
    now = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
    minutes = f"/api/v1/sessions/{world.session}/minutes"

    def save(base: int, due: date) -> None:
        action = _action("Send the figures", due, owner_country="SG")
        body = {
            "base_revision": base,
            "items": [{"number": "4", "title": "Substantive items", "actions": [action]}],
        }
        assert client.put(minutes, headers=staff_headers, json=body).status_code == 200

    def circulate(deadline: str) -> None:
        response = client.post(
            f"{minutes}/circulate", headers=staff_headers, json={"deadline": deadline}
        )
        assert response.status_code == 200, response.text

    save(0, now.date() + timedelta(days=1))
    deadline = (now + timedelta(days=7)).isoformat()
    circulate(deadline)
    with session_scope(engine) as db:
        assert enqueue_due_reminders(db, settings, now=now) == 1
    # Withdrawn, given a new due date, circulated again: that date is reminded in its turn.
    assert client.post(f"{minutes}/withdraw", headers=staff_headers).status_code == 200
    save(1, now.date() + timedelta(days=2))
    circulate(deadline)
    with session_scope(engine) as db:
        assert enqueue_due_reminders(db, settings, now=now) == 1
        assert enqueue_due_reminders(db, settings, now=now) == 0
