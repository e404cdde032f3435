"""The minutes' workflow as pure rules: which step is allowed from where, and why not.

draft --circulate--> circulated --adopt--> adopted
circulated --withdraw--> draft (to revise the text; the delegations' responses lapse)
adopted --corrigendum--> adopted (a recorded correction; the adopted text itself never changes)

Adoption follows intergovernmental practice: while the minutes are circulated each invited
member country's delegation may record "no objection" or "objection". At the deadline, with no
objection outstanding, silence is consent and the minutes are adopted (`silence_adopts`). Staff
may adopt explicitly before that, but not over a standing objection: consensus is the rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from enum import StrEnum

from service.minutes.records import MinutesStatus


class Step(StrEnum):
    edit = "edit"
    circulate = "circulate"
    withdraw = "withdraw"
    adopt = "adopt"
    corrigendum = "corrigendum"
    comment = "comment"
    respond = "respond"


class IllegalStep(Exception):
    """The step is not allowed now; the message says why, in words for the person."""


_ALLOWED: dict[Step, tuple[MinutesStatus, MinutesStatus]] = {
    # step: (the status it needs, the status it leads to)
    Step.edit: (MinutesStatus.draft, MinutesStatus.draft),
    Step.circulate: (MinutesStatus.draft, MinutesStatus.circulated),
    Step.withdraw: (MinutesStatus.circulated, MinutesStatus.draft),
    Step.adopt: (MinutesStatus.circulated, MinutesStatus.adopted),
    Step.corrigendum: (MinutesStatus.adopted, MinutesStatus.adopted),
    Step.comment: (MinutesStatus.circulated, MinutesStatus.circulated),
    Step.respond: (MinutesStatus.circulated, MinutesStatus.circulated),
}

_WHY_NOT: dict[tuple[Step, MinutesStatus], str] = {
    (Step.edit, MinutesStatus.circulated): (
        "The minutes are circulated for comment and cannot be edited; withdraw them to draft first."
    ),
    (Step.edit, MinutesStatus.adopted): (
        "The minutes are adopted and locked; record a corrigendum instead."
    ),
    (Step.circulate, MinutesStatus.circulated): "The minutes are already circulated.",
    (Step.circulate, MinutesStatus.adopted): "The minutes are already adopted.",
    (Step.withdraw, MinutesStatus.draft): "The minutes are a draft; there is nothing to withdraw.",
    (Step.withdraw, MinutesStatus.adopted): (
        "Adopted minutes cannot be withdrawn; record a corrigendum instead."
    ),
    (Step.adopt, MinutesStatus.draft): (
        "Draft minutes cannot be adopted; circulate them for comment first."
    ),
    (Step.adopt, MinutesStatus.adopted): "The minutes are already adopted.",
    (Step.corrigendum, MinutesStatus.draft): (
        "A corrigendum corrects adopted minutes; these are a draft, edit them instead."
    ),
    (Step.corrigendum, MinutesStatus.circulated): (
        "A corrigendum corrects adopted minutes; these are circulated, withdraw and edit them."
    ),
    (Step.comment, MinutesStatus.draft): "Comments open when the minutes are circulated.",
    (Step.comment, MinutesStatus.adopted): "The minutes are adopted; comments are closed.",
    (Step.respond, MinutesStatus.draft): (
        "Objections are recorded on circulated minutes; these are a draft."
    ),
    (Step.respond, MinutesStatus.adopted): "The minutes are adopted; responses are closed.",
}


def next_status(status: MinutesStatus, step: Step) -> MinutesStatus:
    """The status after `step`, or IllegalStep saying why it is not allowed from `status`."""
    needed, leads_to = _ALLOWED[step]
    if status != needed:
        raise IllegalStep(_WHY_NOT[(step, status)])
    return leads_to


def check_before_deadline(step: Step, deadline: datetime | None, now: datetime) -> None:
    """Comments and responses are taken until the deadline, not after."""
    if deadline is not None and now >= deadline:
        raise IllegalStep(
            f"The deadline for comments and objections passed at {deadline:%Y-%m-%d %H:%M} UTC."
        )


def check_deadline_ahead(deadline: datetime, now: datetime) -> None:
    if deadline <= now:
        raise IllegalStep("The deadline for comments must be in the future.")


def objecting(objections: Mapping[str, bool], invited: Collection[str]) -> list[str]:
    """The invited member countries whose delegation objects, in code order."""
    return sorted(code for code, objects in objections.items() if objects and code in invited)


def check_staff_may_adopt(objections: Mapping[str, bool], invited: Collection[str]) -> None:
    standing = objecting(objections, invited)
    if standing:
        raise IllegalStep(
            "The minutes cannot be adopted while an objection stands: "
            f"{', '.join(standing)}. Withdraw and revise them, or ask for the objection to be "
            "withdrawn."
        )


def silence_adopts(
    *,
    status: MinutesStatus,
    deadline: datetime | None,
    now: datetime,
    invited: Collection[str],
    objections: Mapping[str, bool],
) -> bool:
    """Whether the silence procedure adopts the minutes now.

    `invited` are the invited member countries, `objections` each responding country's
    position (True: objection). A country that said nothing by the deadline consents.
    """
    if status != MinutesStatus.circulated or deadline is None or now < deadline:
        return False
    return not objecting(objections, invited)
