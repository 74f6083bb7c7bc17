"""The observatory of impact: age bands, per-territory observatory settings, loneliness counts.

`member_age_bands`: the age band a member chose to give (deleted when removed).
`observatory_settings`: publication of the open data, the loneliness check, demo territories.
`loneliness_tallies`: anonymous counts of the loneliness check's total scores.
`loneliness_asks`: when a requester was last offered the check (no answer).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The observatory reads by territory and period (core/domain/observatory_tables.py).
INDEXES = (
    ("ix_help_requests_territory_created", "help_requests", ["territory_id", "created_at"]),
    ("ix_help_requests_territory_ended", "help_requests", ["territory_id", "state", "updated_at"]),
    ("ix_help_requests_territory_when", "help_requests", ["territory_id", "when_start"]),
    ("ix_assignments_accepted_at", "assignments", ["accepted_at"]),
    ("ix_assignments_completed_at", "assignments", ["completed_at"]),
    ("ix_members_territory_created", "members", ["territory_id", "created_at"]),
    ("ix_alerts_territory_kind_created", "alerts", ["territory_id", "kind", "created_at"]),
)


def upgrade() -> None:
    op.create_table(
        "member_age_bands",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_age_bands_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_age_bands")),
    )
    op.create_table(
        "observatory_settings",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("loneliness_check", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_observatory_settings_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("territory_id", name=op.f("pk_observatory_settings")),
    )
    op.create_table(
        "loneliness_tallies",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_loneliness_tallies_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "territory_id", "quarter", "wave", "score", name=op.f("pk_loneliness_tallies")
        ),
    )
    op.create_table(
        "loneliness_asks",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_loneliness_asks_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_loneliness_asks")),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("loneliness_asks")
    op.drop_table("loneliness_tallies")
    op.drop_table("observatory_settings")
    op.drop_table("member_age_bands")
