"""How far back feeds reach is bounded: a value no feed could be cut at is refused at start."""

from __future__ import annotations

import pytest

from service.settings import MAX_FEED_PAST_DAYS, Settings, SettingsError


@pytest.fixture(autouse=True)
def configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # A key of its own, so that reading the settings does not make one under var/.
    monkeypatch.setenv("VDO_SECRET_KEY", "a key for the feed window tests, long enough")


@pytest.mark.parametrize("days", [-1, MAX_FEED_PAST_DAYS + 1, 10**9])
def test_a_feed_window_out_of_bounds_is_refused(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    monkeypatch.setenv("VDO_FEED_PAST_DAYS", str(days))
    with pytest.raises(SettingsError, match="VDO_FEED_PAST_DAYS"):
        Settings.from_env()


@pytest.mark.parametrize("days", [0, 60, MAX_FEED_PAST_DAYS])
def test_a_feed_window_within_bounds_is_taken(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    monkeypatch.setenv("VDO_FEED_PAST_DAYS", str(days))
    assert Settings.from_env().feed_past_days == days
