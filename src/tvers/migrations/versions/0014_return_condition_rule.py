"""returns: a policy's condition rule, the percent kept of a unit the customer damaged

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23

Existing policies keep nothing for damaged units (0), as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("damaged_fee_percent", sa.String(length=12), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("return_policies", schema=None) as batch_op:
        batch_op.drop_column("damaged_fee_percent")
