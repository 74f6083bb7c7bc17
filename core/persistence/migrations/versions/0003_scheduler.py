"""The scheduler: work done exactly once, APScheduler's job store, recurring requests, digests.

- `job_runs`: one row per piece of scheduled work done, written with its notifications;
- `apscheduler_jobs`: APScheduler 3's `SQLAlchemyJobStore` table, created here (same columns
  as APScheduler's) so the migrations own the whole schema;
- `recurring_requests` and `help_requests.recurring_id`: "every Tuesday, shopping";
- `members.weekly_digest`: volunteers may opt out of the weekly digest (on by default);
- `ix_help_requests_state_when`: the sweep reads open and accepted requests by date.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_job_runs")),
    )
    op.create_index(op.f("ix_job_runs_ran_at"), "job_runs", ["ran_at"])

    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(
        op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs", ["next_run_time"]
    )

    op.create_table(
        "recurring_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("minute_of_day", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["members.id"],
            name=op.f("fk_recurring_requests_requester_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_recurring_requests_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_requests")),
    )
    op.create_index(
        op.f("ix_recurring_requests_requester_id"), "recurring_requests", ["requester_id"]
    )
    op.create_index(
        op.f("ix_recurring_requests_territory_id"), "recurring_requests", ["territory_id"]
    )

    # A foreign key added to an existing table: SQLite needs the table rebuilt (batch mode);
    # PostgreSQL just alters it.
    with op.batch_alter_table("help_requests") as batch:
        batch.add_column(sa.Column("recurring_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_help_requests_recurring_id_recurring_requests"),
            "recurring_requests",
            ["recurring_id"],
            ["id"],
        )
    op.create_index(op.f("ix_help_requests_recurring_id"), "help_requests", ["recurring_id"])
    op.create_index("ix_help_requests_state_when", "help_requests", ["state", "when_start"])

    op.add_column(
        "members",
        sa.Column("weekly_digest", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("members", "weekly_digest")
    op.drop_index("ix_help_requests_state_when", table_name="help_requests")
    op.drop_index(op.f("ix_help_requests_recurring_id"), table_name="help_requests")
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_constraint(
            op.f("fk_help_requests_recurring_id_recurring_requests"), type_="foreignkey"
        )
        batch.drop_column("recurring_id")
    op.drop_table("recurring_requests")
    op.drop_table("apscheduler_jobs")
    op.drop_table("job_runs")
