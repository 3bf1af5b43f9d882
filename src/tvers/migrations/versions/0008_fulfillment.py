"""fulfillment: tasks per location, their lines and history, sourcing decisions, shipments, lines needing attention

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the fulfilment work


def downgrade() -> None:
    pass
