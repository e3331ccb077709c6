"""risk alerts, digest and auto-task state

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN_RULE = "status = 'open' AND rule IS NOT NULL"


def upgrade() -> None:
    at = storage.base.UTCDateTime(timezone=True)
    op.create_table(
        "digest_runs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", at, nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("sent_at", at, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_runs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "local_date", name=op.f("pk_digest_runs")),
    )
    op.create_index(op.f("ix_digest_runs_sent_at"), "digest_runs", ["sent_at"], unique=False)
    op.create_table(
        "risk_alert_state",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("armed", sa.Boolean(), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("changed_at", at, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_risk_alert_state_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_risk_alert_state")),
    )
    op.create_table(
        "risk_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", at, nullable=False),
        sa.Column("snoozed_until", at, nullable=True),
        sa.Column("handled_at", at, nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_risk_alerts_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_risk_alerts_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_alerts")),
    )
    op.create_index(
        "ix_risk_alerts_owner_raised", "risk_alerts", ["owner_id", "raised_at"], unique=False
    )
    op.create_index("ix_risk_alerts_snoozed", "risk_alerts", ["snoozed_until"], unique=False)
    op.create_table(
        "risk_alert_quota",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_risk_alert_quota_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "local_date", name=op.f("pk_risk_alert_quota")),
    )
    op.create_table(
        "job_marks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("updated_at", at, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_marks")),
    )
    op.create_index(
        "uq_tasks_open_rule",
        "tasks",
        ["client_id", "rule"],
        unique=True,
        sqlite_where=sa.text(OPEN_RULE),
        postgresql_where=sa.text(OPEN_RULE),
    )


def downgrade() -> None:
    op.drop_index("uq_tasks_open_rule", table_name="tasks")
    op.drop_table("job_marks")
    op.drop_table("risk_alert_quota")
    op.drop_index("ix_risk_alerts_snoozed", table_name="risk_alerts")
    op.drop_index("ix_risk_alerts_owner_raised", table_name="risk_alerts")
    op.drop_table("risk_alerts")
    op.drop_table("risk_alert_state")
    op.drop_index(op.f("ix_digest_runs_sent_at"), table_name="digest_runs")
    op.drop_table("digest_runs")
