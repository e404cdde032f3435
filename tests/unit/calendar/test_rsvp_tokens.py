"""Answer-link tokens: signed with itsdangerous under VDO_SECRET_KEY, still accepted under a
retired key (VDO_OLD_SECRET_KEYS), and the hand-rolled HMAC links sent before still answer."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from service.calendar.rsvp import read_rsvp_token, rsvp_token
from service.errors import NotFound
from service.settings import Settings

OLD_KEY = "the-retired-secret-key-of-some-length"
NEW_KEY = "the-current-secret-key-of-some-length"


def test_a_token_names_its_session_and_person() -> None:
    settings = Settings(secret_key=NEW_KEY)
    assert read_rsvp_token(settings, rsvp_token(settings, 12, 34)) == (12, 34)


def test_links_signed_before_a_key_rotation_still_answer_while_the_old_key_is_listed() -> None:
    token = rsvp_token(Settings(secret_key=OLD_KEY), 12, 34)
    rotated = Settings(secret_key=NEW_KEY, old_secret_keys=(OLD_KEY,))
    assert read_rsvp_token(rotated, token) == (12, 34)
    assert read_rsvp_token(rotated, rsvp_token(rotated, 12, 34)) == (12, 34)
    with pytest.raises(NotFound):
        read_rsvp_token(Settings(secret_key=NEW_KEY), token)


def test_new_links_are_signed_with_the_current_key_only() -> None:
    rotated = Settings(secret_key=NEW_KEY, old_secret_keys=(OLD_KEY,))
    token = rsvp_token(rotated, 12, 34)
    assert read_rsvp_token(Settings(secret_key=NEW_KEY), token) == (12, 34)
    with pytest.raises(NotFound):
        read_rsvp_token(Settings(secret_key=OLD_KEY), token)


def _link_sent_before(key: str, session_id: int, person_id: int) -> str:
    """An answer link as the service wrote them before itsdangerous: ids and a truncated HMAC."""
    message = b"vdo-rsvp-v1:%d:%d" % (session_id, person_id)
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()[:16]
    return f"{session_id}.{person_id}." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_links_in_invites_sent_before_the_switch_still_answer() -> None:
    sent = _link_sent_before(OLD_KEY, 12, 34)
    assert read_rsvp_token(Settings(secret_key=OLD_KEY), sent) == (12, 34)
    assert read_rsvp_token(Settings(secret_key=NEW_KEY, old_secret_keys=(OLD_KEY,)), sent) == (
        12,
        34,
    )
    forged = sent.replace("12.34.", "12.35.")
    for token in (forged, _link_sent_before(NEW_KEY, 12, 34)):
        with pytest.raises(NotFound):
            read_rsvp_token(Settings(secret_key=OLD_KEY), token)


@pytest.mark.parametrize(
    "token", ["", "garbage", "1.2.3", "WzEsMl0.bad", "12.34.", "..", "1e3.4.x", "-1.2.x"]
)
def test_anything_else_is_not_found(token: str) -> None:
    with pytest.raises(NotFound):
        read_rsvp_token(Settings(secret_key=NEW_KEY), token)
