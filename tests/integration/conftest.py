"""Fixtures of the delivery tests: a real SMTP server in process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.mail_catcher import MailCatcher


@pytest.fixture
def catcher() -> Iterator[MailCatcher]:
    server = MailCatcher()
    server.up()
    yield server
    server.down()
