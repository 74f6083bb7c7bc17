"""Coordinators' threads with members: who answers whom through the bot, until closed.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("open_for", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_desk_threads_territory_id_territories"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_desk_threads_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["members.id"],
            name=op.f("fk_desk_threads_coordinator_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["members.id"], name=op.f("fk_desk_threads_closed_by_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_threads")),
        sa.UniqueConstraint("open_for", name=op.f("uq_desk_threads_open_for")),
    )
    op.create_index(op.f("ix_desk_threads_member_id"), "desk_threads", ["member_id"])
    op.create_index(op.f("ix_desk_threads_coordinator_id"), "desk_threads", ["coordinator_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_desk_threads_coordinator_id"), table_name="desk_threads")
    op.drop_index(op.f("ix_desk_threads_member_id"), table_name="desk_threads")
    op.drop_table("desk_threads")
