from __future__ import annotations

import itertools

import pytest

from service.directory.reference import MEMBERS_BY_CODE
from service.scheduling.rotation import (
    CHARTER_ORDER,
    continue_rotation,
    countries_taking_part,
    host_order,
    rotate_hosts,
)


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


# --- who may host: a chair is always a participant ---------------------------------------------

NAMES = {code: MEMBERS_BY_CODE[code].name for code in CHARTER_ORDER}


def test_the_default_order_is_the_invited_members_in_charter_order() -> None:
    # The demo's Digital Government Working Group.
    assert host_order({"VN", "TH", "PH", "MY", "ID"}) == ("ID", "MY", "PH", "TH", "VN")


def test_invited_partners_take_part_but_do_not_host_by_default() -> None:
    assert host_order({"FI", "TH", "US", "KH"}) == ("KH", "TH")
    assert host_order({"FI", "US"}) == ()


def test_every_subset_of_invited_countries_rotates_over_its_members_by_name() -> None:
    # Oracle: sort the invited members by their English short names, every subset of the 11
    # with and without a partner; the rotation from any first chair never leaves the invited.
    for size in range(len(CHARTER_ORDER) + 1):
        for members in itertools.combinations(CHARTER_ORDER, size):
            for invited in ({*members}, {*members, "FI"}):
                order = host_order(invited)
                assert order == tuple(sorted(members, key=NAMES.__getitem__))
                for last in order:
                    assert set(rotate_hosts(order, (), last, 13)) <= set(members)


def test_a_staff_set_order_may_name_only_invited_countries() -> None:
    assert host_order({"TH", "FI", "VN"}, ["FI", "TH"]) == ("FI", "TH")
    with pytest.raises(ValueError, match=r"LA, SG not invited; a chair must take part"):
        host_order({"TH", "VN"}, ["TH", "LA", "SG"])
    with pytest.raises(ValueError, match="Each country may appear once"):
        host_order({"TH", "VN"}, ["TH", "VN", "TH"])


def test_a_series_of_people_only_takes_part_through_their_countries() -> None:
    assert countries_taking_part([], ["SG", "FI", "KH", "SG"]) == {"SG", "FI", "KH"}
    # Invited countries decide; people from elsewhere do not add their countries.
    assert countries_taking_part(["TH", "VN"], ["TH", "SG"]) == {"TH", "VN"}
    assert host_order(countries_taking_part([], ["SG", "FI", "KH"])) == ("KH", "SG")


def test_a_stored_series_continues_among_the_countries_still_taking_part() -> None:
    # Series booked before chairs were limited to participants stored all eleven members.
    invited = {"ID", "MY", "PH", "TH", "VN"}
    assert continue_rotation(CHARTER_ORDER, (), invited, "LA", 6) == [
        "MY", "PH", "TH", "VN", "ID", "MY",
    ]  # fmt: skip
    # Opt-outs, in any case, are still honoured; the last host's place still counts.
    assert continue_rotation(CHARTER_ORDER, ["my"], invited, "ID", 3) == ["PH", "TH", "VN"]
    assert continue_rotation(("TH", "VN"), (), {"TH", "VN"}, "TH", 3) == ["VN", "TH", "VN"]


def test_a_stored_series_nobody_can_chair_goes_on_without_a_chair() -> None:
    assert continue_rotation(CHARTER_ORDER, (), {"FI"}, "TH", 2) == [None, None]
    assert continue_rotation(("TH",), ["TH"], {"TH"}, "TH", 2) == [None, None]
