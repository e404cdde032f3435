"""The `vdo` command as tests start it: in the same (possibly shifted) time as the test process.

Under `VDO_TEST_CLOCK_SHIFT_DAYS` every test process travels ahead with `time-machine`
(tests/conftest.py). A `vdo` subprocess started plainly would live in today's time and disagree
with every date the test wrote (a deadline "a minute ago" would still be weeks away for it), so
tests start `vdo` through this file, which makes the same journey before running the CLI.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

# `[*VDO, "worker", "--once"]` runs `vdo worker --once` at the test's time.
VDO = [sys.executable, str(Path(__file__).resolve())]


def _travel_like_the_tests() -> None:
    import time_machine

    days = int(os.environ.get("VDO_TEST_CLOCK_SHIFT_DAYS") or 0)
    if days:
        time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True).start()


if __name__ == "__main__":
    _travel_like_the_tests()
    from service.cli import main

    sys.exit(main())
