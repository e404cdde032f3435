"""Signed webhook calls in the style of the Standard Webhooks specification.

Headers: `webhook-id` (the message's id, the same on every retry, so receivers can drop
duplicates), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`:
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the receiver's secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import httpx

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks marker, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


class WebhookError(Exception):
    """The receiver did not take the event (an error status or no answer)."""


def post_event(
    client: httpx.Client, url: str, secret: str, message_id: str, timestamp: int, body: str
) -> None:
    try:
        response = client.post(
            url, content=body.encode(), headers=signed_headers(secret, message_id, timestamp, body)
        )
    except httpx.HTTPError as exc:
        raise WebhookError(f"{type(exc).__name__}: {exc}") from None
    if not response.is_success:
        raise WebhookError(f"the receiver answered {response.status_code}")
