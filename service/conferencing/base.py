"""What every video provider shares: the protocol, its errors, settings checks and HTTP calls."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol, TypeVar

import httpx

from service.conferencing.details import MeetingDetails

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 5.0
# Plain http is accepted only for servers on this machine (local test doubles, a developer's
# bridge); anything reached over a network must use https because URLs and tokens carry secrets.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ProviderError(Exception):
    """A video provider could not do what was asked; the message says why, for a person.

    `transient` is true when trying again later may work (timeouts, refused connections, 5xx), and
    `message_key` carries the provider's own error code where it has one (BigBlueButton's).
    """

    def __init__(self, message: str, *, transient: bool = False, message_key: str | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.message_key = message_key


class BridgeSettingsError(ValueError):
    """A bridge's settings are unusable; `field` names the setting at fault."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class VideoProvider(Protocol):
    def create_meeting(
        self, meeting_key: str, title: str, start_utc: datetime, end_utc: datetime, capacity: int
    ) -> MeetingDetails: ...

    def end_meeting(self, details: MeetingDetails) -> None: ...

    def renew_credentials(self, details: MeetingDetails, end_utc: datetime) -> MeetingDetails:
        """The same meeting with joining credentials still valid at `end_utc`, for occurrences
        stored (or moved) later than the meeting was made. Made here, never by calling the
        provider, so that it may run inside a database transaction."""
        ...


def check_meeting_window(start_utc: datetime, end_utc: datetime) -> None:
    if start_utc.tzinfo is None or end_utc.tzinfo is None:
        raise ValueError("meeting start and end must be timezone-aware datetimes")
    if end_utc <= start_utc:
        raise ValueError("meeting end must be after its start")


def service_url(value: str, field: str) -> str:
    """`value` as an absolute https URL without a trailing slash, or BridgeSettingsError."""
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError):
        raise BridgeSettingsError(field, f"{value!r} is not a URL") from None
    if not url.host:
        raise BridgeSettingsError(field, f"{value!r} is not an absolute URL (https://host/...)")
    if url.scheme != "https" and not (url.scheme == "http" and url.host in _LOOPBACK_HOSTS):
        raise BridgeSettingsError(field, f"{value!r} must use https")
    if url.fragment:
        raise BridgeSettingsError(field, f"{value!r} must not have a #fragment")
    return str(url).rstrip("/")


def origin_of(url: str) -> str:
    """scheme://host[:port] of `url`: what error messages show, never paths or query secrets."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(path="/", query=None, fragment=None)).rstrip("/")


class SettingsReader:
    """Reads one bridge's raw settings into a normalised dict, naming the field on every error.

    Keys nobody read are refused at `result()`, so a misspelt setting fails loudly instead of
    being ignored.
    """

    def __init__(self, raw: Mapping[str, Any]):
        if not isinstance(raw, Mapping):
            raise BridgeSettingsError("settings", "must be an object of setting names to values")
        self._raw = raw
        self._normalised: dict[str, Any] = {}

    def text(self, key: str, *, required: bool = False, max_length: int = 500) -> str | None:
        value = self._raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise BridgeSettingsError(key, "is required")
            return self.keep(key, None)
        if not isinstance(value, str):
            raise BridgeSettingsError(key, "must be text")
        if len(value) > max_length:
            raise BridgeSettingsError(key, f"must be at most {max_length} characters")
        return self.keep(key, value.strip())

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required, max_length=2000)
        return value if value is None else self.keep(key, service_url(value, key))

    def choice(self, key: str, options: tuple[str, ...], *, default: str) -> str:
        value = self.text(key) or default
        if value not in options:
            raise BridgeSettingsError(key, f"must be one of {', '.join(options)}, not {value!r}")
        return self.keep(key, value)

    def country_code(self, key: str, *, required: bool = False) -> str | None:
        """An ISO 3166-1 alpha-2 code, upper-cased."""
        value = self.text(key, required=required, max_length=100)
        if value is None:
            return None
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise BridgeSettingsError(key, "must be a two-letter ISO country code, e.g. TH")
        return self.keep(key, value.upper())

    def timeout_seconds(self, default: float) -> float:
        key = "timeout_seconds"
        value = self._raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 60:
            raise BridgeSettingsError(key, "must be a number of seconds between 0 and 60")
        return self.keep(key, float(value))

    def raw(self, key: str) -> Any:
        """The unconverted value of `key`, for settings the caller checks itself."""
        value = self._raw.get(key)
        self.keep(key, value)
        return value

    def result(self) -> dict[str, Any]:
        unknown = sorted(set(self._raw) - set(self._normalised))
        if unknown:
            raise BridgeSettingsError(unknown[0], "is not a setting of this kind of bridge")
        return {key: value for key, value in self._normalised.items() if value is not None}

    def keep(self, key: str, value: T) -> T:
        """Record `value` as the normalised form of `key` and return it."""
        self._normalised[key] = value
        return value


class ProviderHTTP:
    """GET requests to one provider service, turning every transport failure into ProviderError.

    Uses the injected client when given (tests, connection reuse), else a short-lived one per call.
    The bridge's timeout applies to each request either way.
    """

    def __init__(self, service_name: str, timeout_seconds: float, http: httpx.Client | None):
        self.service_name = service_name
        self.timeout_seconds = timeout_seconds
        self._http = http

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        where = f"{self.service_name} at {origin_of(url)}"
        try:
            with self._client() as client:
                response = client.get(url, params=params, timeout=self.timeout_seconds)
        except httpx.TimeoutException:
            raise ProviderError(
                f"{where} did not answer within {self.timeout_seconds:g} s", transient=True
            ) from None
        except httpx.TransportError as error:
            raise ProviderError(
                f"{where} could not be reached ({error.__class__.__name__}: {error})",
                transient=True,
            ) from None
        if response.status_code >= 400:
            raise ProviderError(
                f"{where} answered HTTP {response.status_code} {response.reason_phrase}",
                transient=response.status_code >= 500,
            )
        return response

    @contextmanager
    def _client(self) -> Iterator[httpx.Client]:
        if self._http is not None:
            yield self._http
        else:
            with httpx.Client() as client:
                yield client
