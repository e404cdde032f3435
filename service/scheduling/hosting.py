"""Who chairs each occurrence of a series: the rotation rules applied to requests and stored series.

The rules themselves are pure (`service.scheduling.rotation`); this module finds the countries
taking part, in a booking request or in a stored occurrence, and turns refusals into 422s naming
the field to correct.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from service.errors import invalid_field
from service.scheduling.invitations import Invitation
from service.scheduling.models import Series, VdoSession
from service.scheduling.queries import invited_countries, invitees
from service.scheduling.rotation import (
    continue_rotation,
    countries_taking_part,
    host_order,
    rotate_hosts,
)
from service.scheduling.schemas import SessionCreate


@dataclass(frozen=True)
class HostPlan:
    order: list[str]  # stored with the series; empty when its chair does not rotate
    opt_outs: list[str]  # upper case, as in the order
    hosts: list[str | None]  # one per occurrence


def plan_hosts(data: SessionCreate, invitation: Invitation, count: int) -> HostPlan:
    """The chairs of a new series' `count` occurrences, or a 422 naming the field at fault."""
    if data.chair_country is None and data.host_order is None:
        return HostPlan([], [], [None] * count)
    taking_part = invitation.countries_taking_part()
    try:
        order = host_order(taking_part, [code.upper() for code in data.host_order or []])
    except ValueError as exc:
        raise invalid_field("host_order", str(exc)) from None
    if not order:
        raise invalid_field(
            "host_order", "no invited ASEAN member can chair; name the hosts in host_order"
        )
    first = (data.chair_country or order[0]).upper()
    if first not in order:
        raise invalid_field(
            "chair_country",
            f"{first} is not in the host order ({', '.join(order)}); a chair must take part, "
            "and invited partners chair only when named in host_order",
        )
    opt_outs = [code.upper() for code in data.host_opt_outs]
    try:
        hosts = rotate_hosts(order, opt_outs, order[order.index(first) - 1], count)
    except ValueError as exc:
        raise invalid_field("host_opt_outs", str(exc)) from None
    return HostPlan(list(order), opt_outs, list(hosts))


def next_hosts(db: Session, series: Series, last: VdoSession, count: int) -> list[str | None]:
    """The chairs of `count` occurrences added after `last`, among the countries it invites."""
    if not series.host_order or not last.chair_country:
        return [None] * count
    taking_part = countries_taking_part(
        invited_countries(db, last), [person.country_code for _, person in invitees(db, last)]
    )
    return continue_rotation(
        series.host_order, series.host_opt_outs, taking_part, last.chair_country, count
    )
