"""All configuration comes from `VDO_*` environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - refused in production


class SettingsError(RuntimeError):
    """Configuration that the service refuses to start with."""


def _default_database_url() -> str:
    return f"sqlite:///{Path('var') / 'vdo.sqlite3'}"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEV_SECRET_KEY
    production: bool = False
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = "ASEAN Pubs Secretariat <secretariat@aseanpubs.example.org>"
    # Feeds keep this many days of past sessions; cancelled ones stay this long too.
    feed_past_days: int = 60
    feed_refresh_minutes: int = 360
    log_requests: bool = True

    @classmethod
    def from_env(cls) -> Settings:
        settings = cls(
            database_url=os.environ.get("VDO_DATABASE_URL") or _default_database_url(),
            base_url=(os.environ.get("VDO_BASE_URL") or cls.base_url).rstrip("/"),
            secret_key=os.environ.get("VDO_SECRET_KEY") or DEV_SECRET_KEY,
            production=_env_bool("VDO_PRODUCTION", False),
            smtp_url=os.environ.get("VDO_SMTP_URL") or cls.smtp_url,
            mail_from=os.environ.get("VDO_MAIL_FROM") or cls.mail_from,
            feed_past_days=_env_int("VDO_FEED_PAST_DAYS", cls.feed_past_days),
            feed_refresh_minutes=_env_int("VDO_FEED_REFRESH_MINUTES", cls.feed_refresh_minutes),
            log_requests=_env_bool("VDO_LOG_REQUESTS", True),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that would be unsafe in production."""
        if self.production and self.secret_key == DEV_SECRET_KEY:
            raise SettingsError(
                "VDO_PRODUCTION is on but VDO_SECRET_KEY is not set: "
                "set a long random secret (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)."
            )
        if self.production and len(self.secret_key) < 32:
            raise SettingsError("VDO_SECRET_KEY must be at least 32 characters in production.")
