"""The default French emergency numbers gain 17 (police) and labels every member can read.

Territories that still have the former default list get the new one; a list a coordinator
changed is left as it is. The labels are message ids, shown in each member's language.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FORMER_DEFAULT = [
    {"number": "112", "label": "European emergency number"},
    {"number": "15", "label": "SAMU (medical emergency)"},
    {"number": "18", "label": "Fire brigade (pompiers)"},
    {"number": "114", "label": "By SMS, for deaf or hard-of-hearing people"},
]
# A copy, not an import: a migration keeps the values of its day.
NEW_DEFAULT = [
    {"number": "112", "label": "Emergency, from any phone in Europe"},
    {"number": "15", "label": "SAMU: medical emergency"},
    {"number": "17", "label": "Police"},
    {"number": "18", "label": "Fire brigade"},
    {"number": "114", "label": "By text message, for deaf or hard-of-hearing people"},
]


def _replace(old: list[dict[str, str]], new: list[dict[str, str]]) -> None:
    connection = op.get_bind()
    territories = sa.table("territories", sa.column("id"), sa.column("emergency_numbers", sa.JSON))
    for territory_id, numbers in connection.execute(
        sa.select(territories.c.id, territories.c.emergency_numbers)
    ):
        value = json.loads(numbers) if isinstance(numbers, str) else numbers
        if value == old:
            connection.execute(
                territories.update()
                .where(territories.c.id == territory_id)
                .values(emergency_numbers=new)
            )


def upgrade() -> None:
    _replace(FORMER_DEFAULT, NEW_DEFAULT)


def downgrade() -> None:
    _replace(NEW_DEFAULT, FORMER_DEFAULT)
