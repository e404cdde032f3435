"""Action items due within three days, or overdue, are emailed to their owners once each."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine

from service.circulars.thai import english_date, thai_date
from service.db import session_scope
from service.delivery import worker
from service.delivery.reminders import enqueue_due_reminders
from service.directory.models import Language, Person
from service.settings import Settings
from tests.integration.minutes_world import World, build_world
from tests.integration.outbox_world import all_messages, worker_settings
from tests.support.mail_catcher import MailCatcher


def _action(text: str, due: date, status: str = "open", **owner: object) -> dict:
    return {"text": text, "due": str(due), "status": status, **owner}


def _five_utc() -> datetime:
    """05:00Z today: the same day in Bangkok, Ho Chi Minh City and Singapore."""
    return datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)


class MinutesApi:
    """The session's minutes, saved and moved through the API as staff do."""

    def __init__(self, client: TestClient, staff: dict[str, str], world: World):
        self.client, self.staff = client, staff
        self.url = f"/api/v1/sessions/{world.session}/minutes"

    def save(self, base: int, actions: list[dict]) -> None:
        item = {"number": "4", "title": "Substantive items", "actions": actions}
        body = {"base_revision": base, "items": [item]}
        response = self.client.put(self.url, headers=self.staff, json=body)
        assert response.status_code == 200, response.text

    def step(self, step: str, **body: object) -> None:
        response = self.client.post(f"{self.url}/{step}", headers=self.staff, json=body or None)
        assert response.status_code == 200, response.text

    def circulate(self, now: datetime) -> None:
        self.step("circulate", deadline=(now + timedelta(days=7)).isoformat())


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
    now = _five_utc()
    today = now.date()
    minutes = MinutesApi(client, staff_headers, world)
    minutes.save(
        0,
        [
            _action(
                "Circulate the survey", today + timedelta(3), owner_person_id=world.people["TH"]
            ),
            _action("Send the figures", today - timedelta(2), owner_country="SG"),
            _action("Draft the report", today + timedelta(4), owner_person_id=world.people["VN"]),
            _action("Book the venue", today + timedelta(1), "done", owner_country="TH"),
            _action("Old idea", today - timedelta(5), "dropped", owner_country="SG"),
        ],
    )

    with session_scope(engine) as db:  # draft minutes remind nobody
        assert enqueue_due_reminders(db, settings, now=now) == 0
    minutes.circulate(now)
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
    now = _five_utc()
    minutes = MinutesApi(client, staff_headers, build_world(engine))
    minutes.save(0, [_action("Send the figures", now.date() + timedelta(1), owner_country="SG")])
    minutes.circulate(now)
    with session_scope(engine) as db:
        assert enqueue_due_reminders(db, settings, now=now) == 1
    # Withdrawn, given a new due date, circulated again: that date is reminded in its turn.
    minutes.step("withdraw")
    minutes.save(1, [_action("Send the figures", now.date() + timedelta(2), owner_country="SG")])
    minutes.circulate(now)
    with session_scope(engine) as db:
        assert enqueue_due_reminders(db, settings, now=now) == 1
        assert enqueue_due_reminders(db, settings, now=now) == 0


def test_two_workers_scanning_at_once_queue_each_reminder_once(
    client: TestClient, staff_headers: dict[str, str], engine: Engine, settings: Settings
) -> None:
    now = _five_utc()
    minutes = MinutesApi(client, staff_headers, build_world(engine))
    minutes.save(0, [_action("Send the figures", now.date(), owner_country="SG")])
    minutes.circulate(now)
    barrier = threading.Barrier(2)
    added: list[int] = []

    def scan() -> None:
        barrier.wait()
        with session_scope(engine) as db:
            added.append(enqueue_due_reminders(db, settings, now=now))

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(added) == [0, 1]
    assert [m.recipient for m in all_messages(engine)] == ["sg@minutes.example"]
