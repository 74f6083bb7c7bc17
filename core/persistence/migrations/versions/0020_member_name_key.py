"""Members' names as they are searched: lower case, without accents.

`members.name_key`, filled from `display_name` for the members already there, indexed: a
coordinator who types "helene" finds "Hélène" on SQLite too, whose lower() leaves "É" as is.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BATCH = 1000


def name_key(name: str) -> str:
    """As `core.domain.people.name_key` when this migration was written (kept here, frozen)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())[:80]


def upgrade() -> None:
    op.add_column("members", sa.Column("name_key", sa.String(length=80), nullable=True))
    members = sa.table(
        "members",
        sa.column("id", sa.Integer),
        sa.column("display_name", sa.String),
        sa.column("name_key", sa.String),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(members.c.id, members.c.display_name)
            .where(members.c.id > last)
            .order_by(members.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            members.update().where(members.c.id == sa.bindparam("member_id")),
            [{"member_id": row.id, "name_key": name_key(row.display_name or "")} for row in rows],
        )
        last = rows[-1].id
    # Filled for everyone: now it can be required, and searched by its index.
    with op.batch_alter_table("members") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=80), nullable=False)
        batch.create_index(batch.f("ix_members_name_key"), ["name_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_index(batch.f("ix_members_name_key"))
        batch.drop_column("name_key")
