"""approvals: request messages, escalation state

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_AT = storage.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "approval_chains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("started_version", sa.Integer(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("level_started_at", _AT, nullable=False),
        sa.Column("reminded_at", _AT, nullable=True),
        sa.Column("escalated_at", _AT, nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_approval_chains_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_chains")),
        sa.UniqueConstraint("quote_id", "started_version", name="uq_approval_chains_round"),
    )
    op.create_index(
        op.f("ix_approval_chains_quote_id"), "approval_chains", ["quote_id"], unique=False
    )
    op.create_index(
        "ix_approval_chains_state_started",
        "approval_chains",
        ["state", "level_started_at"],
        unique=False,
    )
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(length=32), nullable=False),
        sa.Column("outbox_key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("pending_payload", sa.JSON(), nullable=True),
        sa.Column("updated_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["approval_chains.id"],
            name=op.f("fk_approval_requests_chain_id_approval_chains"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
        sa.UniqueConstraint("outbox_key", name=op.f("uq_approval_requests_outbox_key")),
    )
    op.create_index(
        op.f("ix_approval_requests_chain_id"), "approval_requests", ["chain_id"], unique=False
    )
    op.create_index(
        "ix_approval_requests_approver_state",
        "approval_requests",
        ["approver", "state"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_approval_requests_approver_state", table_name="approval_requests")
    op.drop_index(op.f("ix_approval_requests_chain_id"), table_name="approval_requests")
    op.drop_table("approval_requests")
    op.drop_index("ix_approval_chains_state_started", table_name="approval_chains")
    op.drop_index(op.f("ix_approval_chains_quote_id"), table_name="approval_chains")
    op.drop_table("approval_chains")
