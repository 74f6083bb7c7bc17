"""The audio of a voice message left for the coordinators, beside its alert.

`alert_audio`: the platform a voice message came from and its reference there (a Telegram file
id, a Matrix mxc address), so the coordinators' chats forward the audio itself.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_audio",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("audio_ref", sa.String(length=500), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_audio_alert_id_alerts")
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alert_audio")),
    )


def downgrade() -> None:
    op.drop_table("alert_audio")
