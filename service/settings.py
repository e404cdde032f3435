"""All configuration comes from `VDO_*` environment variables (see README, "Configuration")."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from service.db import DatabaseTimeouts

DEFAULT_DATA_DIR = Path("var")
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_KEY_LENGTH = 32
# How far back feeds reach at most: ten years is more than any calendar keeps; past the dates
# Python can count back to, every feed would fail.
MAX_FEED_PAST_DAYS = 3660

log = logging.getLogger("vdo")


class SettingsError(RuntimeError):
    """Configuration that the service refuses to start with."""


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_DATA_DIR / 'vdo.sqlite3'}"


def random_secret_key() -> str:
    return secrets.token_urlsafe(48)


def data_dir(database_url: str) -> Path:
    """Where the service keeps its files: VDO_DATA_DIR, else beside a SQLite database file,
    else `var/`."""
    configured = os.environ.get("VDO_DATA_DIR")
    if configured:
        return Path(configured)
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise SettingsError(f"VDO_DATABASE_URL is not a database URL: {database_url!r}") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).parent
    return DEFAULT_DATA_DIR


def stored_secret_key(directory: Path) -> str:
    """The key kept in `directory`, made at random (readable by this user only) on first use.

    The new key is written to a temporary file and linked into place, which fails if another
    process starting at the same moment got there first; both then use the one linked."""
    path = directory / SECRET_KEY_FILE
    try:
        if not path.exists():
            directory.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{SECRET_KEY_FILE}.")
            try:
                with os.fdopen(descriptor, "w") as file:
                    file.write(random_secret_key() + "\n")
                os.link(temporary, path)
                log.warning(
                    "VDO_SECRET_KEY is not set: made a random key for signing answer links and "
                    "kept it in %s (set VDO_SECRET_KEY to use your own)",
                    path,
                )
            except FileExistsError:
                pass  # made by another process a moment ago
            finally:
                os.unlink(temporary)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(
            f"VDO_SECRET_KEY is not set and no key could be kept in {directory}: {exc}. "
            "Set VDO_SECRET_KEY, or VDO_DATA_DIR to a writable directory."
        ) from None
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{path} holds no usable key: delete it to have a new one made, or set VDO_SECRET_KEY."
        )
    return key


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


def _env_list(name: str) -> tuple[str, ...]:
    """A comma-separated variable's items, blanks dropped."""
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


def _database_timeouts() -> DatabaseTimeouts:
    defaults = DatabaseTimeouts()
    timeouts = DatabaseTimeouts(
        connect_seconds=_env_int("VDO_DATABASE_CONNECT_TIMEOUT", defaults.connect_seconds),
        statement_seconds=_env_int("VDO_DATABASE_STATEMENT_TIMEOUT", defaults.statement_seconds),
        pool_seconds=_env_int("VDO_DATABASE_POOL_TIMEOUT", defaults.pool_seconds),
    )
    if min(timeouts.connect_seconds, timeouts.statement_seconds, timeouts.pool_seconds) < 1:
        raise SettingsError("VDO_DATABASE_*_TIMEOUT settings must be at least 1 (seconds).")
    return timeouts


def _env_offsets(name: str, default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
    """Offsets such as "1d,1h,30m"."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    units = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
    offsets = []
    for part in raw.split(","):
        part = part.strip().lower()
        if len(part) < 2 or part[-1] not in units or not part[:-1].isdigit() or int(part[:-1]) < 1:
            raise SettingsError(f"{name} must look like 1d,1h,30m, not {raw!r}")
        offsets.append(int(part[:-1]) * units[part[-1]])
    return tuple(sorted(set(offsets), reverse=True))


@dataclass(frozen=True)
class DeliverySettings:
    """How the outbox worker delivers (see service/delivery/worker.py)."""

    batch_size: int = 20
    max_attempts: int = 12  # with the backoff below: about six hours of trying
    backoff_seconds: float = 30.0  # first retry; doubled each time, with jitter
    backoff_max_seconds: float = 3600.0
    # A message still "sending" this long after its claim was taken by a worker that died.
    lease_seconds: float = 300.0
    poll_seconds: float = 2.0  # how often an idle worker looks for due messages
    smtp_timeout_seconds: float = 20.0
    webhook_timeout_seconds: float = 10.0
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))

    @classmethod
    def from_env(cls) -> DeliverySettings:
        defaults = cls()
        return cls(
            batch_size=_env_int("VDO_OUTBOX_BATCH_SIZE", defaults.batch_size),
            max_attempts=_env_int("VDO_OUTBOX_MAX_ATTEMPTS", defaults.max_attempts),
            backoff_seconds=_env_int("VDO_OUTBOX_BACKOFF_SECONDS", int(defaults.backoff_seconds)),
            lease_seconds=_env_int("VDO_OUTBOX_LEASE_SECONDS", int(defaults.lease_seconds)),
            reminder_offsets=_env_offsets("VDO_REMINDER_OFFSETS", defaults.reminder_offsets),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    base_url: str = "http://127.0.0.1:8000"
    # Signs answer links. Made in code without one, a Settings gets a random key of its own.
    secret_key: str = field(default_factory=random_secret_key, repr=False)
    # Retired keys whose links still verify (VDO_OLD_SECRET_KEYS): rotating keeps sent links alive.
    old_secret_keys: tuple[str, ...] = field(default=(), repr=False)
    production: bool = False
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = "ASEAN Pubs Secretariat <secretariat@aseanpubs.example.org>"
    # Feeds keep this many days of past sessions; cancelled ones stay this long too.
    feed_past_days: int = 60
    feed_refresh_minutes: int = 360
    log_requests: bool = True
    database_timeouts: DatabaseTimeouts = field(default_factory=DatabaseTimeouts)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    # `vdo serve` runs one outbox worker in process (the default with SQLite, so that
    # `make run` delivers without a second command; with PostgreSQL run `vdo worker`).
    embedded_worker: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        """The configuration from `VDO_*` variables. Without VDO_SECRET_KEY, production mode
        refuses to start; otherwise the key kept in the data directory is used (made at first
        start), so that answer links stay valid across restarts."""
        database_url = os.environ.get("VDO_DATABASE_URL") or _default_database_url()
        production = _env_bool("VDO_PRODUCTION", False)
        secret_key = os.environ.get("VDO_SECRET_KEY")
        if not secret_key and production:
            raise SettingsError(
                "VDO_PRODUCTION is on but VDO_SECRET_KEY is not set: "
                "set a long random secret (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)."
            )
        settings = cls(
            database_url=database_url,
            base_url=(os.environ.get("VDO_BASE_URL") or cls.base_url).rstrip("/"),
            secret_key=secret_key or stored_secret_key(data_dir(database_url)),
            old_secret_keys=_env_list("VDO_OLD_SECRET_KEYS"),
            production=production,
            smtp_url=os.environ.get("VDO_SMTP_URL") or cls.smtp_url,
            mail_from=os.environ.get("VDO_MAIL_FROM") or cls.mail_from,
            feed_past_days=_env_int("VDO_FEED_PAST_DAYS", cls.feed_past_days),
            feed_refresh_minutes=_env_int("VDO_FEED_REFRESH_MINUTES", cls.feed_refresh_minutes),
            log_requests=_env_bool("VDO_LOG_REQUESTS", True),
            database_timeouts=_database_timeouts(),
            delivery=DeliverySettings.from_env(),
            embedded_worker=_env_bool("VDO_EMBEDDED_WORKER", database_url.startswith("sqlite")),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that would be unsafe in production, or break every feed."""
        if self.production and len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                f"VDO_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters in production."
            )
        if not 0 <= self.feed_past_days <= MAX_FEED_PAST_DAYS:
            raise SettingsError(
                f"VDO_FEED_PAST_DAYS must be between 0 and {MAX_FEED_PAST_DAYS} days, "
                f"not {self.feed_past_days}."
            )
