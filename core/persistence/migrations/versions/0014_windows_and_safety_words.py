"""A request's time as it was said, and the safety word said at the door.

`help_requests.when_kind`: how the time was said (an hour, a part of a day, a day, several
days), so a window is shown as a window and never with an hour nobody gave (NULL for older
requests: inferred from their window). `assignments.safety_word`: the word the volunteer says
at the door, known only to the requester and the volunteer.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("help_requests") as batch:
        batch.add_column(sa.Column("when_kind", sa.String(length=16), nullable=True))
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("safety_word", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("safety_word")
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("when_kind")
