"""Render times of a large minutes circular: run `python bench/circulars.py`.

Minutes with 30 agenda items, 60 decisions and 40 action items, in English and Thai, rendered
to HTML, PDF and DOCX a few times each; the medians are printed. Targets on the project's
2-core machine: HTML < 20 ms, PDF < 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytz

from service.circulars.documents import (
    SECRETARIAT_BODY,
    Circular,
    CircularKind,
    CircularNumber,
    ZoneTime,
)
from service.circulars.render import render_docx, render_html, render_pdf
from service.directory.models import Language
from service.minutes.records import (
    ActionLine,
    DecisionLine,
    MinutesItem,
    MinutesRecord,
    MinutesStatus,
)

ITEMS, DECISIONS, ACTIONS = 30, 60, 40


def large_minutes(language: Language) -> Circular:
    now = datetime.now(UTC)
    decisions = iter(range(1, DECISIONS + 1))
    actions = iter(range(1, ACTIONS + 1))
    items = []
    for n in range(1, ITEMS + 1):
        item_decisions = tuple(
            DecisionLine(str(d), f"The meeting **agreed** on point {d} of item {n}.")
            for d in (next(decisions, None), next(decisions, None))
            if d
        )
        item_actions = tuple(
            ActionLine(f"Follow up point {a}", "Thailand", now.date() + timedelta(days=a))
            for a in (next(actions, None),) + ((next(actions, None),) if n % 3 == 0 else ())
            if a
        )
        items.append(
            MinutesItem(
                str(n),
                f"Agenda item {n}",
                summary="The delegations discussed the item; *several* raised questions. " * 3,
                decisions=item_decisions,
                actions=item_actions,
            )
        )
    bangkok = pytz.timezone("Asia/Bangkok")
    start = now.astimezone(bangkok)
    return Circular(
        kind=CircularKind.minutes,
        language=language,
        body=SECRETARIAT_BODY,
        issued_on=start.date(),
        number=CircularNumber(SECRETARIAT_BODY.code, start.year, 12),
        session_title="ASEAN Pubs Steering Committee",
        organiser_zone="Asia/Bangkok",
        zone_times=(ZoneTime("Asia/Bangkok", "Thailand", start, start + timedelta(hours=2)),),
        minutes=MinutesRecord(MinutesStatus.adopted, 4, tuple(items), adopted_at=now),
    )


def median_ms(render: Callable[[], object], repeat: int) -> float:
    render()  # warm up: template compilation, font loading
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        render()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    counts = f"{ITEMS} items, {DECISIONS} decisions, {ACTIONS} actions"
    for language in (Language.en, Language.th):
        circular = large_minutes(language)
        html = render_html(circular)
        print(f"minutes ({counts}), {language.value}:")
        cases: list[tuple[str, Callable[[], object], int]] = [
            ("html", partial(render_html, circular), args.repeat * 10),
            ("pdf", partial(render_pdf, html), args.repeat),
            ("docx", partial(render_docx, circular), args.repeat),
        ]
        for name, render, repeat in cases:
            print(f"  {name:5} {median_ms(render, repeat):8.1f} ms")


if __name__ == "__main__":
    main()
