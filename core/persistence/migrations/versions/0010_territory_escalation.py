"""A territory's own escalation delays, set by its coordinators in the console; two indexes
for the console's "Now" page.

`territories.escalation_hours`: three increasing hours (next volunteers, the whole territory,
the coordinators), or NULL for the settings file's delays (every existing territory).
`ix_help_requests_territory_state_created` replaces `ix_help_requests_territory_state` (its
prefix): the oldest requests waiting are read in order, without sorting all of them.
`ix_platform_accounts_reachable`: the few unreachable accounts, without a scan of all.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("territories") as batch:
        batch.add_column(sa.Column("escalation_hours", sa.JSON(), nullable=True))
    op.create_index(
        op.f("ix_help_requests_territory_state_created"),
        "help_requests",
        ["territory_id", "state", "created_at", "id"],
    )
    op.drop_index(op.f("ix_help_requests_territory_state"), table_name="help_requests")
    op.create_index(
        op.f("ix_platform_accounts_reachable"), "platform_accounts", ["reachable", "member_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_platform_accounts_reachable"), table_name="platform_accounts")
    op.create_index(
        op.f("ix_help_requests_territory_state"), "help_requests", ["territory_id", "state"]
    )
    op.drop_index(op.f("ix_help_requests_territory_state_created"), table_name="help_requests")
    with op.batch_alter_table("territories") as batch:
        batch.drop_column("escalation_hours")
