"""Who hosts (or chairs) each session of a series, in turn.

ASEAN rotates its chair in the alphabetical order of the members' English short names (ASEAN
Charter Art. 31); a series follows that order unless staff set another. Countries that opt out
are skipped; the turn passes to the next in order.

A chair is always a participant: the rotation runs over the countries taking part in the series,
never over members who were not invited. Invited partners take part but host only when staff
name them in the order, since the charter's rotation is among members.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from service.directory.reference import MEMBER_STATES

CHARTER_ORDER: tuple[str, ...] = tuple(
    member.code for member in sorted(MEMBER_STATES, key=lambda member: member.name)
)


def rotate_hosts(
    order: Sequence[str], opt_outs: Collection[str], start_after: str | None, n: int
) -> list[str]:
    """The next `n` hosts in `order` after `start_after` (from the top if None), skipping opt-outs.

    The order wraps around; `start_after` may itself have opted out (its place still counts).
    """
    if n < 0:
        raise ValueError("The number of hosts cannot be negative.")
    if len(set(order)) != len(order):
        raise ValueError("Each country may appear once in the host order.")
    unknown = sorted(set(opt_outs) - set(order))
    if unknown:
        raise ValueError(f"Opt-outs not in the host order: {', '.join(unknown)}.")
    if start_after is not None and start_after not in order:
        raise ValueError(f"{start_after} is not in the host order.")
    first = 0 if start_after is None else order.index(start_after) + 1
    # The full order from just after `start_after`, wrapping, keeping the countries that host.
    cycle = [code for code in (*order[first:], *order[:first]) if code not in opt_outs]
    if not cycle and n > 0:
        raise ValueError("Every country in the host order has opted out; nobody can host.")
    return [cycle[turn % len(cycle)] for turn in range(n)]


def countries_taking_part(invited: Iterable[str], people_countries: Iterable[str]) -> set[str]:
    """The countries whose turn it can be: those invited, or the invited people's countries.

    A series that invites whole countries is theirs to chair; people named besides them do not
    bring their own countries in. A series of named people only is chaired by their countries.
    """
    return set(invited) or set(people_countries)


def host_order(
    taking_part: Collection[str], chosen: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The order of hosts: `chosen` by staff, else the members taking part in charter order.

    A chosen order may name only countries taking part, so that no occurrence is chaired by a
    country that was not invited (a typo in the order is caught the same way).
    """
    if not chosen:
        return tuple(code for code in CHARTER_ORDER if code in taking_part)
    if len(set(chosen)) != len(chosen):
        raise ValueError("Each country may appear once in the host order.")
    outsiders = [code for code in chosen if code not in taking_part]
    if outsiders:
        raise ValueError(
            f"{', '.join(outsiders)} not invited; a chair must take part in the series "
            f"(taking part: {', '.join(sorted(taking_part)) or 'no country'})."
        )
    return tuple(chosen)


def continue_rotation(
    order: Sequence[str],
    opt_outs: Collection[str],
    taking_part: Collection[str],
    last_host: str,
    n: int,
) -> list[str | None]:
    """The next `n` hosts of a stored series after `last_host`, among those still taking part.

    Countries of the stored order that do not take part are skipped like opt-outs: series booked
    before the rotation was limited to participants stored all the members. Opt-outs may be in
    any case (older series stored them as typed). When nobody is left to host, the occurrences
    get no chair rather than one who is not there; extending a series must not fail.
    """
    opted_out = {code.upper() for code in opt_outs}
    skipped = {code for code in order if code in opted_out or code not in taking_part}
    if skipped == set(order):
        return [None] * n
    start_after = last_host if last_host in order else None
    return list(rotate_hosts(order, skipped, start_after, n))
