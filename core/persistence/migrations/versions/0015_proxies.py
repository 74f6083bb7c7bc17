"""Members who do not chat and their proxies (issue 15).

`care_profiles`: whether a member chats, when to call her, whom volunteers call. `proxies`: who
may act for her, with her consent (how, the day, who recorded it) and its revocation.
`proxy_codes`: the one-time code a senior who chats gives the person she names.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_profiles",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("chats", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("call_times", sa.String(length=120), nullable=True),
        sa.Column("call_proxy_id", sa.Integer(), nullable=True),
        sa.Column("copy_to_proxies", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_care_profiles_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["call_proxy_id"], ["members.id"], name=op.f("fk_care_profiles_call_proxy_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_care_profiles")),
    )
    op.create_table(
        "proxies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("senior_id", sa.Integer(), nullable=False),
        sa.Column("proxy_id", sa.Integer(), nullable=False),
        sa.Column("consent", sa.String(length=200), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["senior_id"], ["members.id"], name=op.f("fk_proxies_senior_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["proxy_id"], ["members.id"], name=op.f("fk_proxies_proxy_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["members.id"], name=op.f("fk_proxies_recorded_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["members.id"], name=op.f("fk_proxies_revoked_by_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxies")),
    )
    op.create_index("ix_proxies_proxy_active", "proxies", ["proxy_id", "revoked_at"])
    op.create_index("ix_proxies_senior_active", "proxies", ["senior_id", "revoked_at"])
    op.create_table(
        "proxy_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("senior_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["senior_id"], ["members.id"], name=op.f("fk_proxy_codes_senior_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["members.id"], name=op.f("fk_proxy_codes_used_by_members")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_proxy_codes")),
    )
    op.create_index(op.f("ix_proxy_codes_senior_id"), "proxy_codes", ["senior_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_proxy_codes_senior_id"), table_name="proxy_codes")
    op.drop_table("proxy_codes")
    op.drop_index("ix_proxies_senior_active", table_name="proxies")
    op.drop_index("ix_proxies_proxy_active", table_name="proxies")
    op.drop_table("proxies")
    op.drop_table("care_profiles")
