"""An invitation link (Telegram's `/start join_<code>`) as newcomers and members meet it.

On SQLite and PostgreSQL, through the conversation engine (the action `join:<code>`).
"""

from __future__ import annotations

from functools import partial

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Outgoing
from core.domain.model import Member, PlatformAccount
from core.services import identity, invitations, members
from tests.conftest import Cooperative
from tests.integration import _support

# A Telegram person, who came by an invitation link: no territory given by the platform.
say = partial(_support.say, platform="telegram", territory=None)


async def bouguenais(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        territory = await members.add_territory(uow, "Bouguenais", neighbourhoods=["Les Couëts"])
        await uow.commit()
        return territory.id


async def invite(coop: Cooperative, territory_id: int) -> str:
    """A new invitation's code (made by the administrator)."""
    async with coop.core.uow() as uow:
        invitation = await invitations.create_invitation(uow, territory_id, by_id=None)
        await uow.commit()
        return invitation.code


async def onboard_as_requester(
    engine: ConversationEngine, who: str, neighbourhood: str = "nb:none"
) -> list[Outgoing]:
    """From the language question to the welcome, as a requester who gives no contact (and
    prefers not to say her age)."""
    await say(engine, who, action="lang:fr")
    await say(engine, who, text="Odette")
    await say(engine, who, action="role:requester")
    await say(engine, who, action=neighbourhood)
    await say(engine, who, action="skip")
    await say(engine, who, action="skip")
    return await say(engine, who, action="band:none")


async def member_of(engine: ConversationEngine, who: str) -> Member | None:
    async with engine.core.uow() as uow:
        account = await identity.account_for(uow, "telegram", who)
        assert isinstance(account, PlatformAccount)
        if account.member_id is None:
            return None
        return await uow.session.get(Member, account.member_id)


async def test_a_newcomer_who_follows_an_invitation_joins_that_territory(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    territory_id = await bouguenais(coop)
    first = await say(engine, "odette", action=f"join:{await invite(coop, territory_id)}")
    assert "Quelle langue" in first[0].text
    done = await onboard_as_requester(engine, "odette", neighbourhood="nb:0")
    assert "Bienvenue" in done[0].text
    odette = await member_of(engine, "odette")
    assert odette is not None and odette.territory_id == territory_id
    assert odette.neighbourhood == "Les Couëts"  # the invited territory's neighbourhoods


async def test_the_welcome_names_the_territory_of_the_invitation(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    territory_id = await bouguenais(coop)
    # Telegram tells the language of the app: the welcome comes at once.
    code = await invite(coop, territory_id)
    first = await say(engine, "odette", action=f"join:{code}", language="fr")
    assert "Bouguenais" in first[0].text


async def test_a_newcomer_without_an_invitation_joins_the_default_territory(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await bouguenais(coop)
    await say(engine, "odette", text="bonjour")
    await onboard_as_requester(engine, "odette")
    odette = await member_of(engine, "odette")
    assert odette is not None and odette.territory.name == coop.core.settings.default_territory


async def test_an_invitation_to_a_territory_that_is_gone_still_welcomes_the_newcomer(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    first = await say(engine, "odette", action="join:99999")
    assert "Quelle langue" in first[-1].text
    await onboard_as_requester(engine, "odette")
    odette = await member_of(engine, "odette")
    assert odette is not None and odette.territory.name == coop.core.settings.default_territory


async def test_a_member_who_follows_another_territory_s_invitation_is_sent_to_a_coordinator(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    territory_id = await bouguenais(coop)
    async with coop.core.uow() as uow:
        account = await identity.ensure_account(uow, "telegram", "alice", "alice")
        account.member_id = coop.alice
        await uow.commit()
    replies = await say(engine, "alice", action=f"join:{await invite(coop, territory_id)}")
    assert "Vous êtes déjà membre de Rezé" in replies[0].text
    assert replies[0].buttons  # and the menu, as after any answer
    alice = await member_of(engine, "alice")
    assert alice is not None and alice.territory_id == coop.territory_id


async def test_a_member_who_follows_their_own_territory_s_invitation_gets_the_menu(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    async with coop.core.uow() as uow:
        account = await identity.ensure_account(uow, "telegram", "alice", "alice")
        account.member_id = coop.alice
        await uow.commit()
    replies = await say(engine, "alice", action=f"join:{await invite(coop, coop.territory_id)}")
    assert replies[0].key == "What would you like to do?"
