"""Outbox delivery rate into a local SMTP server: run `python bench/delivery.py`.

Makes a throw-away PostgreSQL database (VDO_BENCH_POSTGRES_URL, default the machine's server as
user postgres), fills the outbox with small emails, starts an SMTP server (aiosmtpd) in a child
process, and times `vdo worker --once` draining it: with one worker, then two side by side. The
rate counts messages from the first claim to the last one recorded as sent, as seen by the
server (every message arrives once: the script checks). Target: >= 200 messages per second with
one worker.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import select

import service.tables  # noqa: F401 - every table, and the calendar counter's flush hook
from service import migrations
from service.db import make_engine, session_scope
from service.delivery import mail
from service.delivery.enqueue import add_messages, email_message
from service.delivery.models import MessageState, OutboxMessage
from service.settings import Settings

ADMIN_URL = os.environ.get(
    "VDO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _smtp_server(port: int, pipe: Connection) -> None:
    """Counts the messages it accepts; answers the count when asked."""
    from aiosmtpd.controller import Controller

    arrivals: list[float] = []

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            arrivals.append(time.perf_counter())
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    while pipe.recv() == "arrivals":
        pipe.send(list(arrivals))
        arrivals.clear()
    controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fill(database_url: str, settings: Settings, count: int) -> None:
    engine = make_engine(database_url)
    sender = mail.Mailbox.parse(settings.mail_from)
    body = mail.Body(text="Reminder: the session starts in one hour.", html="<p>Reminder</p>")
    with session_scope(engine) as db:
        rows = []
        for number in range(count):
            to = mail.Mailbox(f"Delegate {number}", f"delegate{number}@example.org")
            envelope_of = lambda message_id, to=to: mail.Envelope(  # noqa: E731
                sender, to, "Reminder", message_id, datetime.now(UTC)
            )
            rows.append(
                email_message(
                    settings,
                    f"bench:{uuid.uuid4().hex}",
                    to,
                    lambda message_id, envelope_of=envelope_of: mail.plain_email(
                        envelope_of(message_id), body
                    ),
                )
            )
        add_messages(db, rows)
    engine.dispose()


def drain(database_url: str, smtp_url: str, workers: int) -> None:
    """Run `workers` processes of `vdo worker --once` until everything due is sent."""
    environment = os.environ | {
        "VDO_DATABASE_URL": database_url,
        "VDO_SMTP_URL": smtp_url,
        "VDO_SECRET_KEY": "b" * 48,
        "VDO_DATA_DIR": str(Path(".").resolve() / "var"),
    }
    vdo = str(Path(sys.executable).parent / "vdo")
    processes = [
        subprocess.Popen([vdo, "worker", "--once"], env=environment, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit("a worker failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"vdo_bench_delivery_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    port = _free_port()
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_smtp_server, args=(port, theirs), daemon=True)
    server.start()
    ours.recv()
    smtp_url = f"smtp://127.0.0.1:{port}"
    try:
        migrations.upgrade(make_engine(database_url))
        settings = Settings(database_url=database_url)
        for workers in (1, 2):
            fill(database_url, settings, args.messages)
            drain(database_url, smtp_url, workers)
            ours.send("arrivals")
            arrivals: list[float] = ours.recv()
            arrived = len(arrivals)
            seconds = arrivals[-1] - arrivals[0]
            engine = make_engine(database_url)
            with session_scope(engine) as db:
                unsent = db.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.state != MessageState.sent)
                ).one()
            engine.dispose()
            if arrived != args.messages or unsent:
                raise SystemExit(f"{arrived} arrived of {args.messages}, {unsent} not sent")
            print(
                f"{workers} worker{'s' if workers > 1 else ' '}: {args.messages} messages in "
                f"{seconds:.2f} s = {args.messages / seconds:.0f} messages/s"
            )
    finally:
        ours.send("stop")
        server.join(5)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
