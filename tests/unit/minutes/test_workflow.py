"""The minutes' workflow rules, every step from every status, and the silence procedure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.minutes.records import MinutesStatus
from service.minutes.workflow import (
    IllegalStep,
    Step,
    check_before_deadline,
    check_staff_may_adopt,
    next_status,
    silence_adopts,
)

draft, circulated, adopted = MinutesStatus.draft, MinutesStatus.circulated, MinutesStatus.adopted
LEGAL = {
    (Step.edit, draft): draft,
    (Step.circulate, draft): circulated,
    (Step.withdraw, circulated): draft,
    (Step.adopt, circulated): adopted,
    (Step.corrigendum, adopted): adopted,
    (Step.comment, circulated): circulated,
    (Step.respond, circulated): circulated,
}
ILLEGAL = [
    (step, status) for step in Step for status in MinutesStatus if (step, status) not in LEGAL
]
NOW = datetime.now(UTC)


@pytest.mark.parametrize(("step", "status"), list(LEGAL))
def test_legal_steps_lead_where_they_should(step: Step, status: MinutesStatus) -> None:
    assert next_status(status, step) == LEGAL[(step, status)]


@pytest.mark.parametrize(("step", "status"), ILLEGAL)
def test_illegal_steps_say_why(step: Step, status: MinutesStatus) -> None:
    with pytest.raises(IllegalStep) as refused:
        next_status(status, step)
    assert str(refused.value).endswith(".")
    assert len(str(refused.value)) > 20


def test_every_step_and_status_is_either_legal_or_explained() -> None:
    assert len(LEGAL) + len(ILLEGAL) == len(Step) * len(MinutesStatus)


def test_adopted_minutes_point_to_a_corrigendum() -> None:
    with pytest.raises(IllegalStep, match="corrigendum"):
        next_status(adopted, Step.edit)


def test_comments_close_at_the_deadline() -> None:
    check_before_deadline(Step.comment, NOW + timedelta(seconds=1), NOW)
    with pytest.raises(IllegalStep, match="deadline"):
        check_before_deadline(Step.comment, NOW, NOW)


def test_staff_cannot_adopt_over_a_standing_objection() -> None:
    check_staff_may_adopt({"TH": False}, {"TH", "VN"})
    with pytest.raises(IllegalStep, match="VN"):
        check_staff_may_adopt({"TH": False, "VN": True}, {"TH", "VN"})


@pytest.mark.parametrize(
    ("status", "deadline", "objections", "adopts"),
    [
        (circulated, NOW - timedelta(minutes=1), {}, True),  # silence is consent
        (circulated, NOW, {"TH": False}, True),  # at the deadline exactly
        (circulated, NOW + timedelta(minutes=1), {}, False),  # not yet
        (circulated, NOW - timedelta(minutes=1), {"VN": True}, False),  # an objection stands
        (circulated, NOW - timedelta(minutes=1), {"FI": True}, True),  # not an invited member
        (draft, NOW - timedelta(minutes=1), {}, False),
        (adopted, NOW - timedelta(minutes=1), {}, False),
        (circulated, None, {}, False),
    ],
)
def test_silence_procedure(
    status: MinutesStatus, deadline: datetime | None, objections: dict[str, bool], adopts: bool
) -> None:
    decision = silence_adopts(
        status=status, deadline=deadline, now=NOW, invited={"TH", "VN"}, objections=objections
    )
    assert decision is adopts
