"""Indexes for the observatory's figures over large histories (bench/observatory.py).

`ix_assignments_request_people`: a period's tasks are read from its requests through this
index alone (the volunteer, the requester, given back or not), not the assignments' rows.
`ix_assignments_requester_accepted`: a newcomer's first task received is the first entry of
their index by acceptance (the volunteer's side already has `ix_assignments_volunteer_accepted`).
`ix_assignments_pair`: whether a volunteer and a requester had another task together is one
look-up of the pair, not a scan of the requester's history.

Revision ID: 0019
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None

# Declared on the models in core/domain/observatory_tables.py.
INDEXES = (
    (
        "ix_assignments_request_people",
        "assignments",
        ["request_id", "withdrawn_at", "volunteer_id", "requester_id"],
    ),
    ("ix_assignments_requester_accepted", "assignments", ["requester_id", "accepted_at"]),
    ("ix_assignments_pair", "assignments", ["volunteer_id", "requester_id", "request_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
