"""Outbox messages say what they are and what they are about: a kind and typed references.

`notifications.kind` (a `MessageKind`, "text" by default), `request_id` and `poll_id` replace
what adapters used to read in the wording of a message and in its `topic` string. `topic` stays:
it still groups the posts of one subject (a public post and its edits).

Existing rows are backfilled where it is obvious: the references from their topic
("request:12", "poll:3"), and the kind of the messages adapters treat apart (polls, public
request posts, contact cards, emergencies) from the message ids and markers of this day. Any
other row stays a plain "text", as every row was shown until now.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Message ids of this day (a copy, not an import: a migration keeps the values of its day),
# with the kind a message starting so has, and whether it goes to a public room (True), to a
# person (False) or to either (None).
KIND_OF_KEY: list[tuple[str, bool | None, str]] = [
    ("New poll:", None, "poll_opened"),
    ("New secret ballot:", None, "poll_opened"),
    ("Poll closed:", None, "poll_closed"),
    ("New request:", True, "request_post"),
    ("Still looking for a volunteer:", True, "request_post"),
    ("New request near you:", False, "request_post"),
    ("Taken:", True, "request_taken"),
    ("Cancelled:", True, "request_closed"),
    ("EMERGENCY reported by", False, "alert"),
]
BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=24), server_default="text", nullable=False)
        )
        batch.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("poll_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notifications_request_id_help_requests"),
            "help_requests",
            ["request_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_notifications_poll_id_polls"), "polls", ["poll_id"], ["id"]
        )
    _backfill()


def typed(
    topic: str | None, key: str, params: Any, in_room: bool, known: dict[str, set[int]]
) -> dict[str, Any]:
    """The kind and references of a row written before this revision (empty: a plain text).

    `known` holds the ids of the requests and polls that exist: a reference to anything else
    is left out (the new columns are foreign keys), and so is a kind that needs it.
    """
    values: dict[str, Any] = {}
    subject, _, number = (topic or "").partition(":")
    if subject in known and number.isdigit() and int(number) in known[subject]:
        values[f"{subject}_id"] = int(number)
    if isinstance(params, str):
        params = json.loads(params)
    if isinstance(params, dict) and params.get("contact_card") and "request_id" in values:
        return {**values, "kind": "contact_card"}
    for start, room, kind in KIND_OF_KEY:
        if key.startswith(start) and room in (None, in_room):
            needs = "poll_id" if kind.startswith("poll") else "request_id"
            if kind == "alert" or needs in values:
                values["kind"] = kind
            break
    return values


def _backfill() -> None:
    connection = op.get_bind()
    notifications = sa.table(
        "notifications",
        sa.column("id", sa.Integer),
        sa.column("channel_id", sa.Integer),
        sa.column("key", sa.Text),
        sa.column("params", sa.JSON),
        sa.column("topic", sa.String),
        sa.column("kind", sa.String),
        sa.column("request_id", sa.Integer),
        sa.column("poll_id", sa.Integer),
    )
    c = notifications.c
    known = {
        "request": set(connection.execute(sa.text("SELECT id FROM help_requests")).scalars()),
        "poll": set(connection.execute(sa.text("SELECT id FROM polls")).scalars()),
    }
    rows = connection.execute(
        sa.select(c.id, c.topic, c.key, c.params, c.channel_id).where(
            sa.or_(
                c.topic.like("request:%"),
                c.topic.like("poll:%"),
                c.key.like("EMERGENCY reported by%"),
            )
        )
    )
    changes = [
        {
            "row": row_id,
            "new_kind": values.get("kind", "text"),
            "new_request_id": values.get("request_id"),
            "new_poll_id": values.get("poll_id"),
        }
        for row_id, topic, key, params, channel_id in rows
        if (values := typed(topic, key, params, channel_id is not None, known))
    ]
    update = (
        notifications.update()
        .where(c.id == sa.bindparam("row"))
        .values(
            kind=sa.bindparam("new_kind"),
            request_id=sa.bindparam("new_request_id"),
            poll_id=sa.bindparam("new_poll_id"),
        )
    )
    for start in range(0, len(changes), BATCH):
        connection.execute(update, changes[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("fk_notifications_poll_id_polls"), type_="foreignkey")
        batch.drop_constraint(
            op.f("fk_notifications_request_id_help_requests"), type_="foreignkey"
        )
        batch.drop_column("poll_id")
        batch.drop_column("request_id")
        batch.drop_column("kind")
