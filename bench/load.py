"""Load benchmark on PostgreSQL with wrk, each case beside its bare ceiling: `python bench/load.py`.

Builds a fresh PostgreSQL database with the benchmark network (the planner's 11 members, 20
people and 2,000 sessions of `bench/planner.py`, and the delegate with 500 sessions of
`bench/feeds.py`), starts `vdo serve` on it and, in a process of its own, the bare Litestar app
of `bench/ceiling.py` answering with the bytes the service gave for each case. Then, in one
run, wrk (Debian's package) loads each case on the service and right after on the ceiling:

- private feed, full GET and 304 (If-None-Match), and the network's public feed;
- the planner: 11 members + 20 people over four weeks, one hour at a 15-minute step, asked
  again (its answer from memory) and with a new duration each time (the slot finder runs);
- the session list, 50 per page with attendees, with 32 connections;
- booking (POST /api/v1/sessions), a new hour on an empty bridge each time.

Writes bench/RESULTS.md: date, machine, requests per second, p50/p99 latency, errors and the
ratio to the ceiling. Runs are short (`--seconds`, default 8) since the machine is shared.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feeds as feeds_bench
import planner as planner_bench

from service.auth import service as auth
from service.conferencing.models import Bridge, ProviderKind
from service.db import session_scope
from service.directory.reference import MEMBER_STATES

HERE = Path(__file__).resolve().parent
ADMIN_URL = os.environ.get(
    "VDO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "vdo_bench_load"
BOOKING_SLOT = timedelta(minutes=90)
# 90-minute slots, each wrk run and thread booking its own range: two runs of two threads take
# 500 days, well within the three years ahead that booking allows.
BOOKINGS_PER_THREAD = 2_000
RECORDED_BOOKING_SLOT = 9_000
SESSION_LIST = "/api/v1/sessions?limit=50"


@dataclass(frozen=True)
class Network:
    feed_path: str
    staff_token: str
    planner_query: str
    booking_bridge: int
    booking_person: int


@dataclass(frozen=True)
class Case:
    slug: str  # the ceiling's path
    name: str
    method: str
    path: str
    headers: dict[str, str]
    connections: int
    target: str  # in words, for RESULTS.md
    expected_status: int = 200
    booking: bool = False
    # The planner asked for a different duration each time: participants and bookings come from
    # memory, the slot finder runs every time.
    new_question: bool = False


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors


def _database_url() -> str:
    admin = make_url(ADMIN_URL)
    with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    return admin.set(drivername="postgresql+psycopg", database=DATABASE).render_as_string(
        hide_password=False
    )


def build_network(url: str) -> Network:
    """The planner's network, then the feed delegate's 500 sessions, then a bridge of its own
    for the bookings and a secretariat token for the API."""
    scenario = planner_bench.build_scenario()
    engine, person_ids, planner_bridge = planner_bench._load_database(scenario, url)
    feed_path = feeds_bench.build_database(url)
    with session_scope(engine) as db:
        bridge = Bridge(
            name="Load room",
            provider=ProviderKind.jitsi,
            settings={"base_url": "https://meet.example.org"},
        )
        db.add(bridge)
        user = auth.create_user(db, email="load@bench.example", name="Load", role="secretariat")
        _, token = auth.issue_token(db, user)
        db.flush()
        booking_bridge = bridge.id or 0
    engine.dispose()
    first_day = scenario.window_start.date()
    last_day = first_day + planner_bench.WINDOW - timedelta(days=1)
    members = ",".join(m.code for m in MEMBER_STATES)
    people = ",".join(str(i) for i in person_ids)
    planner_query = (
        f"/api/v1/planner?countries={members}&people={people}&from={first_day}&to={last_day}"
        f"&duration=60&step=15&bridge={planner_bridge}&limit=20"
    )
    return Network(feed_path, token, planner_query, booking_bridge, person_ids[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{base_url} exited with {process.returncode}")
        try:
            httpx.get(base_url + path, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{base_url} did not start")


def start_service(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    environment = os.environ | {
        "VDO_DATABASE_URL": url,
        "VDO_LOG_REQUESTS": "false",
        "VDO_EMBEDDED_WORKER": "false",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    _wait_until_up(base_url, process, "/health")
    return process, base_url


def start_ceiling(
    answers: list[dict[str, object]], folder: Path
) -> tuple[subprocess.Popen[bytes], str]:
    answers_file = folder / "answers.json"
    answers_file.write_text(json.dumps(answers))
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "ceiling.py"),
            "--port",
            str(port),
            "--answers",
            str(answers_file),
        ]
    )
    base_url = f"http://127.0.0.1:{port}"
    _wait_until_up(base_url, process, "/ceiling/none")
    return process, base_url


def _booking_body(start: datetime, network: Network) -> dict[str, object]:
    return {
        "title": "Load test",
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_minutes": 60,
        "organiser_zone": "Asia/Bangkok",
        "bridge_id": network.booking_bridge,
        "people": [network.booking_person],
        "acknowledge_problems": True,
    }


def _first_booking_start() -> datetime:
    # Past the planner network's four weeks, so that the invited person has no other session.
    later = datetime.now(UTC) + timedelta(days=40)
    return later.replace(hour=0, minute=0, second=0, microsecond=0)


def record_answers(base_url: str, cases: list[Case], network: Network) -> list[dict[str, object]]:
    """One request per case, kept for the ceiling; stops if any answer is not the expected.

    The booking goes first: it changes the calendar, and the other requests then leave the
    feeds and the planner warm for the load."""
    answers = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for case in sorted(cases, key=lambda case: not case.booking):
            if case.booking:
                # Far beyond what wrk will book, so that the load run's slots stay free.
                start = _first_booking_start() + BOOKING_SLOT * RECORDED_BOOKING_SLOT
                body = json.dumps(_booking_body(start, network)).encode()
                response = client.request(
                    case.method,
                    case.path,
                    headers=case.headers | {"content-type": "application/json"},
                    content=body,
                )
            else:
                response = client.request(case.method, case.path, headers=case.headers)
            if response.status_code != case.expected_status:
                raise SystemExit(f"{case.name}: {response.status_code} {response.text[:300]}")
            answers.append(
                {
                    "case": case.slug,
                    "status": response.status_code,
                    "headers": dict(response.headers),
                    "body_base64": base64.b64encode(response.content).decode(),
                }
            )
    return answers


_BOOKING_SCRIPT = """
local next_offset = 0
function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + {per_thread}
end
local n = 0
function init(args)
  run_offset = tonumber(args[1])
end
request = function()
  n = n + 1
  local start = {first} + (run_offset + offset + n) * {slot}
  local body = string.format({template}, os.date("!%Y-%m-%dT%H:%M:%SZ", start))
  return wrk.format("POST", nil, nil, body)
end
"""


# Durations of 30 to 629 minutes in a scattered order (37 is prime to 600), then again with one
# slot more asked for (20 to 24 slots): 3,000 questions. Each run starts at its own offset, so
# the measured run asks none of the warm-up's questions (the service keeps their answers), and
# its durations are spread over the range rather than all long or short.
_NEW_QUESTION_SCRIPT = """
local n = 0
function init(args)
  n = tonumber(args[1])
end
request = function()
  n = n + 1
  local duration = 30 + (n * 37) % 600
  local limit = 20 + math.floor(n / 600) % 5
  return wrk.format("GET", string.format({template}, duration, limit))
end
"""


def _new_question_script(folder: Path, network: Network) -> Path:
    template = network.planner_query.replace("duration=60", "duration=%d")
    template = template.replace("limit=20", "limit=%d")
    script = folder / "planner.lua"
    script.write_text(_NEW_QUESTION_SCRIPT.replace("{template}", json.dumps(template)))
    return script


def _booking_script(folder: Path, network: Network) -> Path:
    template = json.dumps(_booking_body(datetime(2000, 1, 1, tzinfo=UTC), network)).replace(
        "2000-01-01T00:00:00Z", "%s"
    )
    script = folder / "booking.lua"
    script.write_text(
        _BOOKING_SCRIPT.replace("{per_thread}", str(BOOKINGS_PER_THREAD))
        .replace("{first}", str(int(_first_booking_start().timestamp())))
        .replace("{slot}", str(int(BOOKING_SLOT.total_seconds())))
        .replace("{template}", json.dumps(template))
    )
    return script


_DURATION = re.compile(r"([\d.]+)(us|ms|s|m)\b")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNIT_MS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    """wrk's summary; without any answer in time it has no percentiles (then not a number)."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(bad_status[1]) if bad_status else 0
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    p50, p99 = (_ms(percentiles[p]) if p in percentiles else math.nan for p in ("50", "99"))
    return WrkResult(rate, p50, p99, requests, errors)


def run_wrk(
    url: str, case: Case, seconds: int, script: Path | None, run_offset: int = 0
) -> WrkResult:
    command = [
        "wrk",
        "--threads",
        str(min(2, case.connections)),
        "--connections",
        str(case.connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    for name, value in case.headers.items():
        command += ["--header", f"{name}: {value}"]
    if script is not None:
        command += ["--script", str(script)]
    arguments = ["--", str(run_offset)] if script is not None else []
    output = subprocess.run(
        [*command, url, *arguments], capture_output=True, text=True, check=True
    ).stdout
    return parse_wrk(output)


def cases_of(network: Network, feed_etag: str) -> list[Case]:
    bearer = {"authorization": f"Bearer {network.staff_token}"}
    feed = network.feed_path
    unchanged = {"if-none-match": feed_etag}
    return [
        Case("feed", "private feed, full GET", "GET", feed, {}, 8, ">= 0.5 of ceiling"),
        Case("feed-304", "private feed, 304", "GET", feed, unchanged, 8, ">= 0.8 of ceiling", 304),
        Case("public", "public feed", "GET", "/feeds/public.ics", {}, 8, "none"),
        Case("planner", "planner", "GET", network.planner_query, bearer, 1, "p50 < 20 ms"),
        Case(
            "planner-new",
            "planner, a new duration each time",
            "GET",
            network.planner_query,
            bearer,
            1,
            "p50 < 20 ms",
            new_question=True,
        ),
        Case(
            "sessions",
            "session list",
            "GET",
            "/api/v1/sessions?limit=50",
            bearer,
            32,
            "p99 < 50 ms",
        ),
        Case(
            "booking",
            "booking",
            "POST",
            "/api/v1/sessions",
            bearer | {"content-type": "application/json"},
            8,
            "no errors",
            201,
            booking=True,
        ),
    ]


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found[1] if found else model
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({model}), {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average at start {load}"
    )


def _verdict(case: Case, service: WrkResult, ratio: float) -> str:
    checks = {
        ">= 0.5 of ceiling": ratio >= 0.5,
        ">= 0.8 of ceiling": ratio >= 0.8,
        "p50 < 20 ms": service.p50_ms < 20,
        "p99 < 50 ms": service.p99_ms < 50,
        "no errors": True,
        "none": True,
    }
    met = checks[case.target] and service.errors == 0
    return "met" if met else "MISSED"


def write_results(
    path: Path,
    rows: list[tuple[Case, WrkResult, WrkResult]],
    seconds: int,
    workers: int,
    started: datetime,
    machine: str,
) -> None:
    lines = [
        "# Load benchmark results",
        "",
        "Written by `python bench/load.py` (see its docstring); figures of one run, service and",
        "ceiling side by side in the same run on PostgreSQL.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine}",
        f"- Service: `vdo serve --workers {workers}` on PostgreSQL; ceiling: `bench/ceiling.py`,",
        "  a bare Litestar app in its own process (one uvicorn process) answering the same bytes.",
        f"- wrk: {seconds} s per run after a 1 s warm-up, 2 threads. Runs are short; the load",
        "  average at start (above) tells how quiet the machine was.",
        "",
        "| case | conns | service req/s | p50 ms | p99 ms | errors | ceiling req/s "
        "| ceiling p50/p99 ms | ratio | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for case, service, ceiling in rows:
        ratio = service.requests_per_second / ceiling.requests_per_second
        lines.append(
            f"| {case.name} | {case.connections} | {service.requests_per_second:,.0f} "
            f"| {service.p50_ms:.1f} | {service.p99_ms:.1f} | {service.errors} "
            f"| {ceiling.requests_per_second:,.0f} | {ceiling.p50_ms:.1f} / {ceiling.p99_ms:.1f} "
            f"| {ratio:.2f} | {case.target} | {_verdict(case, service, ratio)} |"
        )
    lines += [
        "",
        "What the cases are (see `bench/load.py`):",
        "",
        "- Private feed: a delegate invited to 500 sessions; a poll that finds it unchanged is",
        "  answered from memory before the router (no thread, no database).",
        "- Planner: the same question asked again is answered from memory until the change",
        "  counter moves. A new duration (and number of slots) each time, never asked before:",
        "  the participants' timelines and the bridge's bookings come from memory, the slot",
        "  finder runs and the 300 KB answer is made afresh.",
        "- Session list: 50 sessions per page with attendees, 32 connections; the bearer",
        "  token's owner and the encoded page come from memory while the change counter stands",
        "  still, so a request takes no worker thread and no database read.",
        "- Booking: a new hour on an empty bridge each time; bookings are serialized (the",
        "  bridge's row lock and the calendar counter), so their rate is one process's.",
        "- Ratios above 1: the ceiling is a Litestar app with its router; unchanged feeds are",
        "  answered before the service's router, so they can beat it.",
    ]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="per wrk run")
    parser.add_argument("--workers", type=int, default=1, help="`vdo serve --workers`")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="CASE",
        help="only these cases, by slug (feed, feed-304, public, planner, planner-new, sessions, "
        "booking); RESULTS.md is then left as it is",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    started, machine = datetime.now(UTC), _machine()
    url = _database_url()
    network = build_network(url)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        service, service_url = start_service(url, args.workers)
        try:
            feed_etag = httpx.get(service_url + network.feed_path).headers["etag"]
            cases = [
                c for c in cases_of(network, feed_etag) if not args.only or c.slug in args.only
            ]
            unknown = set(args.only or ()) - {c.slug for c in cases}
            if unknown:
                raise SystemExit(f"no such case: {', '.join(sorted(unknown))}")
            answers = record_answers(service_url, cases, network)
            ceiling, ceiling_url = start_ceiling(answers, Path(folder))
            try:
                booking = _booking_script(Path(folder), network)
                new_question = _new_question_script(Path(folder), network)
                for case in cases:
                    used = booking if case.booking else None
                    slug = f"/ceiling/{case.slug}"
                    # Warm-ups: caches, connections, thread pools.
                    asked = new_question if case.new_question else used
                    run_wrk(service_url + case.path, case, 1, asked)
                    measured = run_wrk(
                        service_url + case.path, case, args.seconds, asked, 2 * BOOKINGS_PER_THREAD
                    )
                    run_wrk(ceiling_url + slug, case, 1, used)
                    bare = run_wrk(ceiling_url + slug, case, args.seconds, used)
                    rows.append((case, measured, bare))
                    print(f"{case.name}: {measured} / ceiling {bare}", flush=True)
            finally:
                ceiling.terminate()
                ceiling.wait()
        finally:
            service.terminate()
            service.wait()
    if not args.only:  # a partial run leaves RESULTS.md as it is; its lines above tell
        write_results(args.output, rows, args.seconds, args.workers, started, machine)
        print(args.output.read_text())


if __name__ == "__main__":
    main()
