"""Covering index for matching: approved volunteers of a territory by neighbourhood.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_members_match",
        "members",
        [
            "territory_id",
            "status",
            "is_volunteer",
            "neighbourhood",
            "id",
            "availability",
            "language",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_members_match", table_name="members")
