"""What the bot keeps to learn from use (`entraide nlu review`).

`nlu_reviews`: messages the bot was unsure of or that a member corrected, anonymised, with the
meaning the member picked and, once reviewed, the coordinator's label; pruned after
`retention_days`. `nlu_review_consents`: the members who said yes to it (no row: no).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nlu_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("guessed_intent", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("guessed_category", sa.String(length=16), nullable=True),
        sa.Column("picked_intent", sa.String(length=32), nullable=True),
        sa.Column("picked_category", sa.String(length=16), nullable=True),
        sa.Column("label_intent", sa.String(length=32), nullable=True),
        sa.Column("label_category", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_nlu_reviews_territory_id_territories"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_nlu_reviews_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_reviews")),
    )
    op.create_index("ix_nlu_reviews_status_created", "nlu_reviews", ["status", "created_at"])
    op.create_index(op.f("ix_nlu_reviews_member_id"), "nlu_reviews", ["member_id"])
    op.create_table(
        "nlu_review_consents",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_nlu_review_consents_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_nlu_review_consents")),
    )


def downgrade() -> None:
    op.drop_table("nlu_review_consents")
    op.drop_index(op.f("ix_nlu_reviews_member_id"), table_name="nlu_reviews")
    op.drop_index("ix_nlu_reviews_status_created", table_name="nlu_reviews")
    op.drop_table("nlu_reviews")
