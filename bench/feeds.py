"""Throughput of a private feed against its ceiling: run `python bench/feeds.py`.

Builds a temporary SQLite database with one delegate invited to 500 sessions (a tenth of them
cancelled, the oldest already past), serves the real application under uvicorn on 127.0.0.1
(an ephemeral port, in a child process so that the client does not share its interpreter), and
measures requests per second with httpx for:

- `full`: a plain GET of the feed (a version query, then the rendered bytes from the cache),
- `304`: a conditional GET with the feed's ETag (the version query only),
- `ceiling`: a bare Litestar endpoint in the same application returning the same bytes.

Each case sends a fixed number of requests from a few client processes (one keep-alive
connection each) and is repeated; the medians and the ratios to the ceiling are printed. Targets:
full >= 50% of the ceiling, 304 >= 80%.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from litestar import Litestar, Response, get

from service import migrations
from service.app import create_app
from service.calendar.feeds import issue_feed_token
from service.conferencing.details import DialIn, MeetingDetails
from service.conferencing.models import Bridge
from service.db import make_engine, session_scope, utcnow
from service.directory.models import Person
from service.directory.service import seed_member_countries
from service.scheduling.models import SessionParticipant, SessionStatus, VdoSession
from service.scheduling.revisions import new_uid
from service.settings import Settings

SESSIONS = 500
CEILING_PATH = "/bench/ceiling"


def build_database(database_url: str) -> str:
    """The delegate and their sessions; returns the private feed's path."""
    engine = make_engine(database_url)
    migrations.upgrade(engine)
    meeting = MeetingDetails(
        provider="manual",
        join_url="https://zoom.example.org/j/8123456789",
        meeting_id="812 345 6789",
        passcode="778899",
        dial_ins=(DialIn("TH", "+6621234567", "445566", "Thailand"),),
        notes="Please mute on entry.",
    )
    with session_scope(engine) as db:
        seed_member_countries(db)
        bridge = Bridge(name="Bench room", provider="manual", settings={})
        person = Person(
            name="Anan Chaiyaporn",
            email="anan@opdc.example.th",
            country_code="TH",
            zone="Asia/Bangkok",
        )
        db.add_all([bridge, person])
        db.flush()
        first = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
        for n in range(SESSIONS):
            start = first + timedelta(hours=13 * n)
            session = VdoSession(
                uid=new_uid(),
                title=f"ASEAN Pubs working group {n + 1}",
                description="Agenda: reports from the member agencies; any other business.",
                start_utc=start,
                end_utc=start + timedelta(hours=1),
                organiser_zone="Asia/Bangkok",
                bridge_id=bridge.id or 0,
                status=SessionStatus.cancelled if n % 10 == 9 else SessionStatus.confirmed,
                sequence=1 if n % 10 == 9 else 0,
                meeting=meeting.to_json(),
            )
            db.add(session)
            db.flush()
            db.add(SessionParticipant(session_id=session.id or 0, person_id=person.id or 0))
        _, token = issue_feed_token(db, person.id or 0)
    engine.dispose()
    return f"/feeds/{token}.ics"


def _serve(sock: socket.socket, settings: Settings, ceiling_body: bytes) -> None:
    app: Litestar = create_app(settings)

    @get(CEILING_PATH)
    async def ceiling() -> Response[bytes]:
        return Response(ceiling_body, media_type="text/calendar", headers={"etag": '"ceiling"'})

    app.register(ceiling)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    headers: dict[str, str]
    expected_status: int


def _client(base_url: str, case: Case, count: int) -> None:
    with httpx.Client(base_url=base_url, headers=case.headers) as client:
        for _ in range(count):
            response = client.get(case.path)
            if response.status_code != case.expected_status:
                raise SystemExit(f"{case.name}: got {response.status_code}")


def requests_per_second(base_url: str, case: Case, requests: int, clients: int) -> float:
    per_client = requests // clients
    workers = [
        multiprocessing.Process(target=_client, args=(base_url, case, per_client))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"{case.name}: a client failed")
    return per_client * clients / (time.perf_counter() - started)


def _wait_until_up(base_url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(base_url + "/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def _with_server(settings: Settings, ceiling_body: bytes, run: Callable[[str], None]) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = multiprocessing.Process(target=_serve, args=(sock, settings, ceiling_body))
    server.start()
    try:
        _wait_until_up(base_url)
        run(base_url)
    finally:
        server.terminate()
        server.join()
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="per case and repetition")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        feed_path = build_database(database_url)
        settings = Settings(database_url=database_url, log_requests=False)
        # The ceiling serves the feed's own bytes, taken from the application itself.
        probe_settings = settings
        body_holder: dict[str, bytes | str] = {}

        def probe(base_url: str) -> None:
            response = httpx.get(base_url + feed_path)
            response.raise_for_status()
            body_holder["body"] = response.content
            body_holder["etag"] = response.headers["etag"]

        _with_server(probe_settings, b"", probe)
        body, etag = body_holder["body"], body_holder["etag"]
        assert isinstance(body, bytes)
        assert isinstance(etag, str)
        print(f"feed: {SESSIONS} sessions, {len(body):,} bytes, ETag {etag}")

        cases = [
            Case("full", feed_path, {}, 200),
            Case("304", feed_path, {"if-none-match": etag}, 304),
            Case("ceiling", CEILING_PATH, {}, 200),
        ]
        results: dict[str, list[float]] = {case.name: [] for case in cases}

        def measure(base_url: str) -> None:
            for case in cases:  # warm-up: caches, connections, thread pool
                requests_per_second(base_url, case, 100, args.clients)
            for _ in range(args.repeat):
                for case in cases:
                    rate = requests_per_second(base_url, case, args.requests, args.clients)
                    results[case.name].append(rate)

        _with_server(settings, body, measure)

    medians = {name: statistics.median(rates) for name, rates in results.items()}
    ceiling_rate = medians["ceiling"]
    targets = {"full": 0.5, "304": 0.8}
    print(f"{args.requests} requests per case, {args.clients} clients, median of {args.repeat}")
    for name, rate in medians.items():
        line = f"  {name:8} {rate:8.0f} req/s"
        if name in targets:
            ratio = rate / ceiling_rate
            verdict = "ok" if ratio >= targets[name] else "BELOW TARGET"
            line += f"  {ratio:6.1%} of ceiling (target {targets[name]:.0%}: {verdict})"
        print(line)


if __name__ == "__main__":
    main()
