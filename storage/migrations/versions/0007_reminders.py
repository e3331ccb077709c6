"""reminders: reminder times, snoozes, quiet hours

``tasks.remind_at`` (the next reminder, set to the due time on creation, set again by a
snooze, moved by quiet hours) and ``tasks.lease_until`` (the claim) came with 0001;
this adds when the last reminder was queued.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminded_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
