"""Native polls published on a platform for one of our polls (Telegram, Matrix).

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
    op.create_table(
        "poll_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_ref", sa.String(length=255), nullable=False),
        sa.Column("message_ref", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_publications_poll_id_polls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_publications")),
        sa.UniqueConstraint(
            "platform", "external_id", name=op.f("uq_poll_publications_platform_external_id")
        ),
    )
    op.create_index(op.f("ix_poll_publications_poll_id"), "poll_publications", ["poll_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_poll_publications_poll_id"), table_name="poll_publications")
    op.drop_table("poll_publications")
