from __future__ import annotations

import pytest

from service.directory.reference import MEMBERS_BY_CODE
from service.scheduling.rotation import CHARTER_ORDER, rotate_hosts


def test_charter_order_is_alphabetical_by_english_short_name() -> None:
    assert [MEMBERS_BY_CODE[code].name for code in CHARTER_ORDER] == [
        "Brunei Darussalam", "Cambodia", "Indonesia", "Lao PDR", "Malaysia", "Myanmar",
        "Philippines", "Singapore", "Thailand", "Timor-Leste", "Viet Nam",
    ]  # fmt: skip


def test_rotation_starts_after_the_last_host_and_wraps() -> None:
    assert rotate_hosts(CHARTER_ORDER, (), "TL", 3) == ["VN", "BN", "KH"]
    assert rotate_hosts(CHARTER_ORDER, (), None, 2) == ["BN", "KH"]
    assert rotate_hosts(CHARTER_ORDER, (), "VN", 12) == [*CHARTER_ORDER, "BN"]


def test_opt_outs_are_skipped_even_as_the_starting_point() -> None:
    assert rotate_hosts(CHARTER_ORDER, {"MM", "PH"}, "MY", 3) == ["SG", "TH", "TL"]
    assert rotate_hosts(CHARTER_ORDER, {"MY"}, "MY", 1) == ["MM"]
    only_two = set(CHARTER_ORDER) - {"TH", "KH"}
    assert rotate_hosts(CHARTER_ORDER, only_two, "TH", 4) == ["KH", "TH", "KH", "TH"]


def test_a_staff_set_order() -> None:
    assert rotate_hosts(["TH", "SG", "PH"], {"SG"}, "TH", 3) == ["PH", "TH", "PH"]


@pytest.mark.parametrize(
    ("order", "opt_outs", "start_after", "n", "message"),
    [
        (CHARTER_ORDER, (), "XX", 1, "XX is not in the host order"),
        (CHARTER_ORDER, {"XX"}, None, 1, "Opt-outs not in the host order: XX"),
        (["TH", "TH"], (), None, 1, "Each country may appear once"),
        (["TH"], {"TH"}, None, 1, "Every country in the host order has opted out"),
        (CHARTER_ORDER, (), None, -1, "cannot be negative"),
    ],
)
def test_bad_rotations_are_refused(order, opt_outs, start_after, n, message) -> None:
    with pytest.raises(ValueError, match=message):
        rotate_hosts(order, opt_outs, start_after, n)
