"""The request log (VDO_LOG_REQUESTS), without the secrets that some URLs carry.

A private feed URL (`/feeds/<token>.ics`) and an answer link (`/rsvp/<token>`) are signed in by
the token in their path. The database keeps feed tokens only hashed, so a log line holding the
path in plain text would undo that, and would let anyone who reads logs answer for an invitee.
"""

from __future__ import annotations

import logging
import re

from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.logging import LoggingMiddlewareConfig

REDACTED = "<redacted>"
# What ends a path segment in a log line: the next segment, a query or fragment, or the text
# around the URL (spaces, quotes, the separators of "key=value, ..." lines).
_SEGMENT = r"[^/?#\s\"',;]+"
_END = r"(?=[/?#\s\"',;]|$)"
# Every feed but the public ones (the network's and each country's) is a private feed.
_PRIVATE_FEED = re.compile(rf"/feeds/(?!(?:public\.ics|countries){_END}){_SEGMENT}?(\.ics)?{_END}")
_ANSWER_LINK = re.compile(rf"/rsvp/{_SEGMENT}")


def redact_secret_urls(text: str) -> str:
    """`text` with the tokens of private feed URLs and answer links replaced by "<redacted>"."""
    text = _PRIVATE_FEED.sub(lambda match: f"/feeds/{REDACTED}{match.group(1) or ''}", text)
    return _ANSWER_LINK.sub(f"/rsvp/{REDACTED}", text)


class RedactSecretUrls(logging.Filter):
    """Rewrites each record's message through `redact_secret_urls` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secret_urls(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def logging_config() -> LoggingConfig:
    """Litestar's logging, with the request logger's lines redacted."""
    return LoggingConfig(
        root={"level": "INFO", "handlers": ["queue_listener"]},
        filters={"redact_secret_urls": {"()": RedactSecretUrls}},
        loggers={
            "litestar": {
                "level": "INFO",
                "handlers": ["queue_listener"],
                "propagate": False,
                "filters": ["redact_secret_urls"],
            }
        },
        log_exceptions="debug",
    )


def request_logging() -> DefineMiddleware:
    """One line per request (method, path, query) and per response (status), to "litestar"."""
    return LoggingMiddlewareConfig(
        logger_name="litestar",
        request_log_fields=["method", "path", "query"],
        response_log_fields=["status_code"],
    ).middleware
