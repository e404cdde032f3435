"""The application as `vdo serve` runs it: what exists once it is built is kept out of the
garbage collector's full collections (a pause of 100 ms and more in the middle of a request)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from service.app import served_app
from service.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite keeps the collector's default


def test_the_served_application_is_out_of_the_collectors_sight(
    settings: Settings, unfrozen: None
) -> None:
    served_app(settings)
    assert gc.get_freeze_count() > 10_000
