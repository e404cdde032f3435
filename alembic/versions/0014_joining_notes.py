"""joining details store the bridge staff's notes, not a rendered block

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-26 09:00:00.000000

A session's `meeting` JSON kept `instructions`: the joining block as rendered when the session was
booked, followed by the bridge staff's notes. The block is now rendered from the details whenever
it is shown (templates/joining/), so only the notes are kept, as `notes`. They are recovered here
by removing the block as the earlier code rendered it (a frozen copy below); text that does not
start with that block is kept as notes unless it holds the join link, i.e. is a block itself.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from alembic import op

revision: str = '0014'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_sessions = sa.table(
    'vdo_session', sa.column('id', sa.Integer), sa.column('meeting', sa.JSON)
)


def _pin(pin: str) -> str:
    return pin if len(pin) <= 5 else " ".join(pin[i : i + 3] for i in range(0, len(pin), 3))


def _block_as_rendered_before(meeting: dict[str, Any]) -> str:
    lines = [f"Join online: {meeting['join_url']}", f"Meeting ID: {meeting['meeting_id']}"]
    if meeting.get("passcode"):
        lines.append(f"Passcode: {meeting['passcode']}")
    if meeting.get("dial_ins"):
        lines += ["", "Join by phone:"]
        for dial_in in meeting["dial_ins"]:
            line = f"{dial_in['label']}: {dial_in.get('formatted_number') or dial_in['number']}"
            if dial_in.get("pin"):
                line += f", PIN {_pin(dial_in['pin'])}#"
            lines.append(line)
    return "\n".join(lines)


def _notes(meeting: dict[str, Any]) -> str:
    stored = meeting.get("instructions") or ""
    block = _block_as_rendered_before(meeting)
    if stored.startswith(block):
        return stored[len(block) :].strip()
    return "" if meeting["join_url"] in stored else stored.strip()


def _rewrite(change: Any) -> None:
    bind = op.get_bind()
    for session_id, meeting in bind.execute(sa.select(_sessions.c.id, _sessions.c.meeting)):
        if meeting and "join_url" in meeting:
            bind.execute(
                _sessions.update()
                .where(_sessions.c.id == session_id)
                .values(meeting=change(dict(meeting)))
            )


def _with_notes(meeting: dict[str, Any]) -> dict[str, Any]:
    if "notes" not in meeting:
        meeting["notes"] = _notes(meeting)
    meeting.pop("instructions", None)
    return meeting


def _with_instructions(meeting: dict[str, Any]) -> dict[str, Any]:
    notes = meeting.pop("notes", "") or ""
    block = _block_as_rendered_before(meeting)
    meeting["instructions"] = f"{block}\n\n{notes.strip()}" if notes.strip() else block
    return meeting


def upgrade() -> None:
    _rewrite(_with_notes)


def downgrade() -> None:
    _rewrite(_with_instructions)
