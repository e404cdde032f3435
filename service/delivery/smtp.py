"""Sending over SMTP as VDO_SMTP_URL says: smtp:// (plain), smtp+starttls://, smtps:// (implicit
TLS), with an optional user:password@ for login.

The standard library's smtplib is enough: the worker is synchronous like the rest of the data
layer (SQLAlchemy sessions), sends over one connection per batch, and needs no event loop.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(
                "VDO_SMTP_URL must look like smtp://host:port, smtp+starttls://user:pass@host:587 "
                "or smtps://user:pass@host:465"
            )
        security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or SCHEMES[parts.scheme],
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def describe(self) -> str:
        """Where mail goes, without the password."""
        return f"{self.security} SMTP at {self.host}:{self.port}"


class SmtpSender:
    """One SMTP connection, opened on first use and kept while the worker is busy."""

    def __init__(self, target: SmtpTarget, timeout_seconds: float):
        self.target = target
        self.timeout_seconds = timeout_seconds
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        connection: smtplib.SMTP
        if target.security == "tls":
            connection = smtplib.SMTP_SSL(
                target.host,
                target.port,
                timeout=self.timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            connection = smtplib.SMTP(target.host, target.port, timeout=self.timeout_seconds)
            if target.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if target.username is not None:
            connection.login(target.username, target.password or "")
        return connection

    def send(self, sender: str, recipient: str, message: str) -> None:
        """Send one stored message; raises smtplib.SMTPException or OSError on failure."""
        if self._connection is None:
            self._connection = self._connect()
        try:
            self._connection.sendmail(sender, [recipient], message.encode("ascii"))
        except smtplib.SMTPResponseException:
            # The server refused this message; the session stays usable for the next ones.
            self._connection.rset()
            raise
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
