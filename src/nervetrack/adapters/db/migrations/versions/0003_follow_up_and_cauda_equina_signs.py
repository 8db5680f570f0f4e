"""Add the cauda equina signs (urinary difficulty, genital numbness, symptoms in both legs), the follow-up
questions of a check-in, and the dural tear of the surgery (issue 7).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SIGNS = ("urinary_difficulty", "genital_numbness", "both_legs")


def upgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        for sign in _SIGNS:
            batch_op.add_column(sa.Column(sign, sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("follow_up", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_asked", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_open", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_checkin_follow_up_open"), ["follow_up_open"], unique=False)
    with op.batch_alter_table("surgery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dural_tear", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("surgery", schema=None) as batch_op:
        batch_op.drop_column("dural_tear")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_follow_up_open"))
        for column in ("follow_up_open", "follow_up_asked", "follow_up", *_SIGNS):
            batch_op.drop_column(column)
