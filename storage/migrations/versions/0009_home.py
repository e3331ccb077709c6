"""message shortcut and App Home state

Revision ID: 0009
Revises: 0008

Nothing to change, on purpose: a second log of the same message is found through
``ix_activities_source_ref`` (0001), the whole text of a message being logged waits in
``pending_actions`` (0003), and the Home reads an owner's clients through
``clients.owner_id`` and the ``(client_id, as_of)`` key of ``client_scores`` (0004).
The revision stays so the chain keeps its slot.
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
