"""Alerts for the coordinators' desk, and what the web console needs to let them in.

`alerts`: something a coordinator must handle (an emergency, a request nobody took, a member
the bot can no longer reach, a message for the coordinators), taken by one, then done.
`web_logins`: one-time login links (a hash of the token only). `install_secrets`: secrets the
installation generates for itself, such as the key that signs the console's sessions.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["territory_id"], ["territories.id"], name=op.f("fk_alerts_territory_id_territories")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_alerts_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["help_requests.id"], name=op.f("fk_alerts_request_id_help_requests")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"], ["members.id"], name=op.f("fk_alerts_taken_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["done_by"], ["members.id"], name=op.f("fk_alerts_done_by_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(
        "ix_alerts_territory_open", "alerts", ["territory_id", "done_at", "created_at"]
    )
    op.create_index(op.f("ix_alerts_member_id"), "alerts", ["member_id"])
    op.create_table(
        "web_logins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_web_logins_member_id_members")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_logins")),
    )
    op.create_index(op.f("ix_web_logins_member_id"), "web_logins", ["member_id"])
    op.create_index(op.f("ix_web_logins_expires_at"), "web_logins", ["expires_at"])
    op.create_table(
        "install_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_install_secrets")),
    )


def downgrade() -> None:
    op.drop_table("install_secrets")
    op.drop_index(op.f("ix_web_logins_expires_at"), table_name="web_logins")
    op.drop_index(op.f("ix_web_logins_member_id"), table_name="web_logins")
    op.drop_table("web_logins")
    op.drop_index(op.f("ix_alerts_member_id"), table_name="alerts")
    op.drop_index("ix_alerts_territory_open", table_name="alerts")
    op.drop_table("alerts")
