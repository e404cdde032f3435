"""People, a bridge and a real SMTP server, for delivery tests; times relative to now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from service.db import session_scope
from service.delivery import mail
from service.delivery.enqueue import add_messages, email_message
from service.delivery.models import OutboxMessage
from service.settings import DeliverySettings, Settings
from tests.integration.network import make_bridge
from tests.support.mail_catcher import MailCatcher

# Retries come back within a second, so that tests of outages stay short.
FAST = DeliverySettings(backoff_seconds=0.5, backoff_max_seconds=1.0, lease_seconds=2.0)
JOIN_URL = "https://zoom.example.org/j/5550001111"
PASSCODE = "246810"


def worker_settings(settings: Settings, catcher: MailCatcher, **delivery: object) -> Settings:
    """The app's settings (same secret key and base URL), sending to the catcher."""
    return replace(settings, smtp_url=catcher.url, delivery=replace(FAST, **delivery))


@dataclass(frozen=True)
class World:
    bridge_id: int
    somchai: int  # Thai, reads Thai, Bangkok
    wei: int  # English, Singapore


def build_world(client: TestClient, staff: dict[str, str]) -> World:
    bridge = make_bridge(
        client,
        staff,
        name="Secretariat Zoom",
        provider="manual",
        settings={"join_url": JOIN_URL, "meeting_id": "555 000 1111", "passcode": PASSCODE},
    )

    def person(name: str, email: str, code: str, language: str) -> int:
        response = client.post(
            "/api/v1/people",
            headers=staff,
            json={"name": name, "email": email, "country_code": code, "language": language},
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    return World(
        bridge_id=bridge,
        somchai=person("สมชาย ใจดี", "somchai@opdc.example.th", "TH", "th"),
        wei=person("Tan Wei Ling", "wei@psd.example.sg", "SG", "en"),
    )


def in_days(days: int, hour: int = 7) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def book(
    client: TestClient, staff: dict[str, str], world: World, people: list[int], **fields: object
) -> dict:
    body = {
        "title": "Steering committee",
        "duration_minutes": 60,
        "organiser_zone": "Asia/Bangkok",
        "bridge_id": world.bridge_id,
        "start": in_days(7).isoformat(),
        "people": people,
        "acknowledge_problems": True,
    } | fields
    response = client.post("/api/v1/sessions", headers=staff, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def queue_plain_emails(engine: Engine, settings: Settings, count: int) -> None:
    """`count` small emails in the outbox, as any change would leave them."""
    sender = mail.Mailbox.parse(settings.mail_from)
    body = mail.Body(text="Hello", html="<p>Hello</p>")
    with session_scope(engine) as db:
        for first in range(0, count, 500):
            rows = []
            for number in range(first, min(count, first + 500)):
                to = mail.Mailbox(f"Delegate {number}", f"delegate{number}@example.org")
                rows.append(
                    email_message(
                        settings,
                        f"test:{number}",
                        to,
                        lambda message_id, to=to, number=number: mail.plain_email(
                            mail.Envelope(
                                sender, to, f"Note {number}", message_id, datetime.now(UTC)
                            ),
                            body,
                        ),
                    )
                )
            add_messages(db, rows)


def states(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as db:
        found: dict[str, int] = {}
        for row in db.exec(select(OutboxMessage)):
            found[str(row.state)] = found.get(str(row.state), 0) + 1
        return found


def all_messages(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
