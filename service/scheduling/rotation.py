"""Who hosts (or chairs) each session of a series, in turn.

ASEAN rotates its chair in the alphabetical order of the members' English short names (ASEAN
Charter Art. 31); a series follows that order unless staff set another. Countries that opt out
are skipped; the turn passes to the next in order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

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
