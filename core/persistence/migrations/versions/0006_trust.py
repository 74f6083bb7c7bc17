"""Trust and safety: link codes bound to an account, rate-limited attempts, dead letters,
revocable invitations, poll electorates, typed delivery outcomes and secret tallies.

Secret ballots were rows (one per ballot) whose physical order matched the receipts; they
become counts per option, rewritten together by every ballot. Existing ballots are counted
into the tallies, then their table is dropped.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_codes") as batch:
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_link_codes_account_id_platform_accounts"),
            "platform_accounts",
            ["account_id"],
            ["id"],
        )
    op.create_index(op.f("ix_link_codes_member_id"), "link_codes", ["member_id"])

    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    op.create_index("ix_attempts_kind_subject_at", "attempts", ["kind", "subject", "at"])
    op.create_index(op.f("ix_attempts_at"), "attempts", ["at"])

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("source", "ref", name=op.f("uq_dead_letters_source_ref")),
    )

    op.create_table(
        "invitations",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_invitations_territory_id_territories"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_invitations_created_by_members")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invitations")),
    )
    op.create_index(op.f("ix_invitations_territory_id"), "invitations", ["territory_id"])

    op.add_column("polls", sa.Column("voter_role", sa.String(length=16), nullable=True))
    op.add_column(
        "polls",
        sa.Column("prior_members_only", sa.Boolean(), server_default=sa.true(), nullable=False),
    )

    op.add_column("notifications", sa.Column("outcome", sa.String(length=16), nullable=True))
    op.add_column("notifications", sa.Column("set_aside_at", sa.DateTime(), nullable=True))
    # Before this revision the outcome was written into external_ref ("uncertain:...").
    notifications = sa.table(
        "notifications",
        sa.column("external_ref", sa.String),
        sa.column("outcome", sa.String),
        sa.column("last_error", sa.Text),
        sa.column("sent_at", sa.DateTime),
    )
    for prefix in ("uncertain", "refused", "unreachable", "skipped"):
        op.execute(
            notifications.update()
            .where(notifications.c.external_ref.like(f"{prefix}:%"))
            .values(outcome=prefix, last_error=notifications.c.external_ref, external_ref=None)
        )
    op.execute(
        notifications.update()
        .where(notifications.c.sent_at.is_not(None), notifications.c.outcome.is_(None))
        .values(outcome="sent")
    )

    op.create_table(
        "secret_tallies",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_secret_tallies_poll_id_polls")
        ),
        sa.PrimaryKeyConstraint("poll_id", "position", name=op.f("pk_secret_tallies")),
    )
    _count_secret_ballots_into_tallies()
    op.drop_index(op.f("ix_secret_ballots_poll_id"), table_name="secret_ballots")
    op.drop_table("secret_ballots")


def _count_secret_ballots_into_tallies() -> None:
    connection = op.get_bind()
    counts: dict[tuple[int, int], int] = {}
    options = connection.execute(sa.text("SELECT poll_id, position FROM poll_options"))
    secret_polls = {
        row[0] for row in connection.execute(sa.text("SELECT id FROM polls WHERE secret"))
    }
    for poll_id, position in options:
        if poll_id in secret_polls:
            counts[(poll_id, position)] = 0
    ballots = connection.execute(sa.text("SELECT poll_id, choice FROM secret_ballots"))
    for poll_id, choice in ballots:
        positions = json.loads(choice) if isinstance(choice, str) else choice
        for position in positions or []:
            if (poll_id, position) in counts:
                counts[(poll_id, position)] += 1
    tallies = sa.table(
        "secret_tallies",
        sa.column("poll_id", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("count", sa.Integer),
    )
    if counts:
        op.bulk_insert(
            tallies,
            [{"poll_id": p, "position": o, "count": c} for (p, o), c in sorted(counts.items())],
        )


def downgrade() -> None:
    # The ballots themselves cannot come back from counts: the old table returns empty.
    op.create_table(
        "secret_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_secret_ballots_poll_id_polls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_ballots")),
    )
    op.create_index(op.f("ix_secret_ballots_poll_id"), "secret_ballots", ["poll_id"])
    op.drop_table("secret_tallies")
    op.drop_column("notifications", "set_aside_at")
    op.drop_column("notifications", "outcome")
    op.drop_column("polls", "prior_members_only")
    op.drop_column("polls", "voter_role")
    op.drop_index(op.f("ix_invitations_territory_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("dead_letters")
    op.drop_index(op.f("ix_attempts_at"), table_name="attempts")
    op.drop_index("ix_attempts_kind_subject_at", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index(op.f("ix_link_codes_member_id"), table_name="link_codes")
    with op.batch_alter_table("link_codes") as batch:
        batch.drop_constraint(
            op.f("fk_link_codes_account_id_platform_accounts"), type_="foreignkey"
        )
        batch.drop_column("account_id")
