"""The one door to video providers: check a bridge's settings, get a provider for it.

    details = provider_for(bridge.provider, bridge.settings).create_meeting(...)

Kinds and their settings (see each module's `validate_settings`):
- "jitsi" (service.conferencing.jitsi): unguessable rooms, optional JWT, optional dial-in APIs;
- "bigbluebutton" (service.conferencing.bigbluebutton): the checksummed create/join/end API;
- "manual" (service.conferencing.manual): staff-entered Zoom/Teams/Webex details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from service.conferencing import bigbluebutton, jitsi, manual
from service.conferencing.base import (
    DEFAULT_TIMEOUT_SECONDS,
    BridgeSettingsError,
    ProviderError,
    VideoProvider,
)
from service.conferencing.details import DialIn, MeetingDetails, joining_text

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "PROVIDER_KINDS",
    "BridgeSettingsError",
    "DialIn",
    "MeetingDetails",
    "ProviderError",
    "VideoProvider",
    "joining_text",
    "provider_for",
    "validate_bridge_settings",
]

_VALIDATORS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    jitsi.KIND: jitsi.validate_settings,
    bigbluebutton.KIND: bigbluebutton.validate_settings,
    manual.KIND: manual.validate_settings,
}
PROVIDER_KINDS: tuple[str, ...] = tuple(_VALIDATORS)


def validate_bridge_settings(kind: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised settings of a bridge of `kind`, or BridgeSettingsError naming the field."""
    validator = _VALIDATORS.get(kind)
    if validator is None:
        raise BridgeSettingsError("provider", f"must be one of {', '.join(PROVIDER_KINDS)}")
    return validator(settings)


def provider_for(
    kind: str, settings: Mapping[str, Any], *, http: httpx.Client | None = None
) -> VideoProvider:
    """The provider for a bridge; `http` is an optional client to reuse (or fake, in tests)."""
    checked = validate_bridge_settings(kind, settings)
    if kind == bigbluebutton.KIND:
        return bigbluebutton.BigBlueButtonProvider(checked, http=http)
    if kind == jitsi.KIND:
        return jitsi.JitsiProvider(checked, http=http)
    return manual.ManualProvider(checked)
