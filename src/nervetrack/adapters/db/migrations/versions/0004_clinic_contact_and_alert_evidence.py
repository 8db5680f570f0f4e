"""Add how patients reach the clinic (phone, hours, out-of-hours route) and its time zone, the patient's
contact number, and the evidence of each alert (issue 8).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("hours", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("out_of_hours", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC"))
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("evidence")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        for column in ("timezone", "out_of_hours", "hours", "phone"):
            batch_op.drop_column(column)
