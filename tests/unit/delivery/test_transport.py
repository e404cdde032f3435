"""VDO_SMTP_URL forms, webhook signatures and retry delays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.delivery import webhooks
from service.delivery.smtp import SmtpTarget
from service.delivery.worker import backoff
from service.settings import DeliverySettings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", SmtpTarget("127.0.0.1", 1025, "plain")),
        ("smtp+starttls://mail.example.org", SmtpTarget("mail.example.org", 587, "starttls")),
        (
            "smtps://vdo%40example.org:p%3Ass@mail.example.org",
            SmtpTarget("mail.example.org", 465, "tls", "vdo@example.org", "p:ss"),
        ),
    ],
)
def test_smtp_urls(url: str, expected: SmtpTarget) -> None:
    assert SmtpTarget.from_url(url) == expected


def test_an_smtp_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="VDO_SMTP_URL"):
        SmtpTarget.from_url("http://mail.example.org")


def test_the_description_of_the_target_leaves_out_the_password() -> None:
    assert "secret" not in SmtpTarget.from_url("smtps://me:secret@mail.example.org").describe()


def test_signature_matches_the_standard_webhooks_example() -> None:
    # The example of the Standard Webhooks specification (github.com/standard-webhooks).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert (
        webhooks.signature(
            secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}'
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    delivery = DeliverySettings(backoff_seconds=30, backoff_max_seconds=3600)
    for attempts, full in [(1, 30), (2, 60), (5, 480), (20, 3600)]:
        delay = backoff(delivery, attempts)
        assert timedelta(seconds=full / 2) <= delay <= timedelta(seconds=full)
