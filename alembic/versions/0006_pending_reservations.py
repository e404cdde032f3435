"""pending sessions hold their bridge slot

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26 08:30:00.000000

A booking first stores its sessions as `pending` (committed), then asks the video provider for a
room, then confirms them. The PostgreSQL overlap guard must count the pending ones too, so that two
reservations of one slot cannot both win. (SQLite serializes writers instead; no change there.)
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OVERLAP = (
    "ALTER TABLE vdo_session ADD CONSTRAINT ex_vdo_session_bridge_overlap "
    "EXCLUDE USING gist (bridge_id WITH =, tstzrange(start_utc, end_utc) WITH &&) "
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE vdo_session DROP CONSTRAINT ex_vdo_session_bridge_overlap")
        op.execute(_OVERLAP + "WHERE (status IN ('confirmed', 'pending'))")


def downgrade() -> None:
    # Earlier versions know no pending sessions: drop the reservations (invitees cascade).
    op.execute("DELETE FROM vdo_session WHERE status = 'pending'")
    op.execute("DELETE FROM series WHERE status = 'pending'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE vdo_session DROP CONSTRAINT ex_vdo_session_bridge_overlap")
        op.execute(_OVERLAP + "WHERE (status = 'confirmed')")
