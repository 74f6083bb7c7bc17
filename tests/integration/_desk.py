"""A coordinators' desk in the chat, for the engine-level tests of `flows/desk_*.py`: Claire
and Denise coordinate Rezé, Zoé coordinates another territory; everyone chats on the console."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.domain.model import AuditEntry, Base, Member, Notification
from core.domain.vocabulary import Category, Role
from core.services import identity, members
from tests.conftest import Cooperative

# Buttons a chat could send that point at nothing or at nothing the sender may touch.
FORGED = ("abc", "0", "99999", "-1", "1" * 12, "1:2")


class Desk:
    """The cooperative of `conftest`, with the accounts and members the desk tests need."""

    def __init__(self, coop: Cooperative) -> None:
        self.coop = coop
        self.core = coop.core
        self.engine = ConversationEngine(coop.core)

    async def setup(self) -> Desk:
        coop = self.coop
        async with self.core.uow() as uow:
            self.denise = (
                await members.onboard_member(
                    uow, coop.territory_id, "Denise Roux", roles=[Role.COORDINATOR]
                )
            ).id
            nantes = await members.add_territory(uow, "Nantes", neighbourhoods=["Doulon"])
            self.zoe = (
                await members.onboard_member(
                    uow, nantes.id, "Zoé Faure", roles=[Role.COORDINATOR, Role.REQUESTER]
                )
            ).id
            self.dan = (
                await members.onboard_member(
                    uow,
                    coop.territory_id,
                    "Dan Morel",
                    roles=[Role.VOLUNTEER],
                    neighbourhood="Pont-Rousseau",
                    skills=[Category.GARDENING, Category.DIY],
                    availability=(1 << 21) - 1,
                )
            ).id
            await uow.commit()
        for who, member_id in (
            ("claire", coop.coordinator),
            ("denise", self.denise),
            ("alice", coop.alice),
            ("bob", coop.bob),
            ("carol", coop.carol),
            ("zoe", self.zoe),
            ("dan", self.dan),
        ):
            await self.account(who, member_id)
        return self

    async def account(self, who: str, member_id: int) -> None:
        async with self.core.uow() as uow:
            account = await identity.ensure_account(uow, "console", who, who)
            account.member_id = member_id
            await uow.commit()

    async def say(
        self, who: str, text: str | None = None, action: str | None = None
    ) -> list[Outgoing]:
        replies = await self.engine.handle(
            Inbound("console", who, who, text=text, action=action, territory="Rezé")
        )
        await self.engine.mark_delivered(replies)
        return replies

    async def press(self, who: str, action: str) -> list[Outgoing]:
        return await self.say(who, action=action)

    async def rows(self, model: type[Base], *where: Any) -> list[Any]:
        async with self.core.uow() as uow:
            query = select(model).where(*where)
            return list((await uow.session.execute(query)).scalars())

    async def audit(self, action: str) -> list[AuditEntry]:
        return await self.rows(AuditEntry, AuditEntry.action == action)

    async def messages_to(self, member_id: int) -> list[Notification]:
        """Every message written for this member, the oldest first."""
        rows = await self.rows(Notification, Notification.member_id == member_id)
        return sorted(rows, key=lambda r: r.id)

    async def member(self, member_id: int) -> Member:
        (found,) = await self.rows(Member, Member.id == member_id)
        return found

    async def counts(self) -> dict[str, int]:
        """How many rows each table holds but the conversations' own bookkeeping: what a
        refused action must leave as it was (its kind answer is a notification, counted apart)."""
        kept = {"conversations", "inbound_receipts", "notifications", "attempts"}
        result: dict[str, int] = {}
        async with self.core.uow() as uow:
            for table in Base.metadata.sorted_tables:
                if table.name in kept:
                    continue
                count = select(func.count()).select_from(table)
                result[table.name] = int((await uow.session.execute(count)).scalar_one())
        return result


def keys(replies: list[Outgoing]) -> str:
    """The message ids (English) of the replies, one per line."""
    return "\n".join(r.key for r in replies)


def actions(replies: list[Outgoing]) -> list[str]:
    """Every button's action in the replies."""
    return [b.action for r in replies for b in r.buttons]
