"""Without VDO_SECRET_KEY the service makes its own random key once and keeps it in the data
directory, so answer links cannot be forged with a key anyone can read in the code."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from service.settings import Settings, SettingsError


@pytest.fixture(autouse=True)
def no_key_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("VDO_SECRET_KEY", "VDO_OLD_SECRET_KEYS", "VDO_DATA_DIR", "VDO_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VDO_DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'vdo.sqlite3'}")


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_first_start_makes_a_private_random_key_and_later_starts_keep_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("VDO_DATA_DIR", str(tmp_path / "data"))

    first = Settings.from_env()
    again = Settings.from_env()

    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() == first.secret_key == again.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    [said] = _warnings(caplog)
    assert "VDO_SECRET_KEY" in said
    assert str(key_file) in said
    assert first.secret_key not in said
    assert first.secret_key not in repr(first)


def test_each_installation_gets_its_own_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VDO_DATA_DIR", str(tmp_path / "one"))
    one = Settings.from_env().secret_key
    monkeypatch.setenv("VDO_DATA_DIR", str(tmp_path / "two"))
    assert Settings.from_env().secret_key != one


def test_the_key_is_kept_beside_the_sqlite_database_by_default(tmp_path: Path) -> None:
    key = Settings.from_env().secret_key
    assert (tmp_path / "db" / "secret_key").read_text().strip() == key


def test_an_explicit_key_is_used_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("VDO_SECRET_KEY", "an-explicit-secret-key-of-enough-length")
    assert Settings.from_env().secret_key == "an-explicit-secret-key-of-enough-length"
    assert not (tmp_path / "db").exists()
    assert _warnings(caplog) == []


def test_production_still_refuses_to_start_without_an_explicit_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VDO_PRODUCTION", "true")
    with pytest.raises(SettingsError, match="VDO_SECRET_KEY"):
        Settings.from_env()
    assert not (tmp_path / "db").exists()
    monkeypatch.setenv("VDO_SECRET_KEY", "short")
    with pytest.raises(SettingsError, match="32 characters"):
        Settings.from_env()


def test_an_emptied_key_file_is_refused_rather_than_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VDO_DATA_DIR", str(tmp_path))
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(SettingsError, match="secret_key"):
        Settings.from_env()


def test_settings_made_in_code_get_a_random_key_not_a_known_one() -> None:
    assert Settings().secret_key != Settings().secret_key


def test_retired_keys_come_from_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDO_SECRET_KEY", "the-current-secret-key-of-enough-length")
    monkeypatch.setenv("VDO_OLD_SECRET_KEYS", " first-retired-key , ,second-retired-key")
    settings = Settings.from_env()
    assert settings.old_secret_keys == ("first-retired-key", "second-retired-key")
    assert "first-retired-key" not in repr(settings)
