"""client scores, kept per as-of date

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    money = sa.Numeric(precision=14, scale=2)
    op.create_table(
        "client_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("computed_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("clv", money, nullable=False),
        sa.Column("clv_tier", sa.String(length=16), nullable=False),
        sa.Column("clv_trend", sa.String(length=8), nullable=False),
        sa.Column("expected_orders", sa.Float(), nullable=False),
        sa.Column("expected_revenue", money, nullable=False),
        sa.Column("p_active", sa.Float(), nullable=False),
        sa.Column("churn_risk", sa.Integer(), nullable=False),
        sa.Column("payment_risk", sa.Integer(), nullable=False),
        sa.Column("profitability_risk", sa.Integer(), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("risk_level", sa.String(length=8), nullable=False),
        sa.Column("health_score", sa.Integer(), nullable=False),
        sa.Column("rfm_segment", sa.String(length=24), nullable=False),
        sa.Column("next_order_expected", sa.Date(), nullable=True),
        sa.Column("typical_gap_days", sa.Float(), nullable=True),
        sa.Column("gap_low_days", sa.Float(), nullable=True),
        sa.Column("gap_high_days", sa.Float(), nullable=True),
        sa.Column("days_since_last_order", sa.Float(), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_scores_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_scores")),
        sa.UniqueConstraint("client_id", "as_of", name=op.f("uq_client_scores_client_id")),
    )
    op.create_index("ix_client_scores_as_of", "client_scores", ["as_of"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_client_scores_as_of", table_name="client_scores")
    op.drop_table("client_scores")
