"""The conversation engine: `handle(Inbound)` -> replies, the same for every platform.

One inbound message is one transaction: the receipt that deduplicates it, the change it causes,
the conversation's new step and every reply (written to the outbox) commit together.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.app import Core
from core.dialogue import render as rendering
from core.dialogue.arguments import (
    MAX_ACTION_CHARS,
    STALE,
    is_position,
    is_vote_argument,
    parse_id,
)
from core.dialogue.batching import GroupCommit
from core.dialogue.delivery import DeliveryDesk, buttons_of, record_sends
from core.dialogue.flood import SLOW_DOWN, FloodGate, SlowDown, Verdict
from core.dialogue.flows import (
    asking,
    common,
    helping,
    onboarding,
    organising,
    understanding,
    voting,
)
from core.dialogue.messages import Inbound, Outgoing
from core.dialogue.turn import Turn, Understanding
from core.dialogue.words import command_of, fold, looks_like_emergency
from core.domain.errors import DomainError, InvalidInput, Suspended
from core.domain.model import (
    Conversation,
    InboundReceipt,
    Member,
    Notification,
    PlatformAccount,
    Territory,
)
from core.domain.vocabulary import MemberStatus
from core.services import dead_letters, identity, invitations, members, outbox
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# The longest action an adapter may hand over (a button's data, `link_group:<room id>`).
MAX_INBOUND_ACTION_CHARS = 300
# Messages handled in one transaction at most (a full Telegram getUpdates batch).
MAX_BATCH = 100
# How sure the NLU must be of an emergency to interrupt a flow (the keyword net always does).
IN_FLOW_EMERGENCY = 0.5
ActionHandler = Callable[[Turn, str], Awaitable[None]]


class Interpreter(Protocol):
    """An NLU (see `nlu/`): free text -> intent, confidence, ranking and entities."""

    async def parse(
        self, text: str, *, language: str | None, timezone: str, now: datetime | None
    ) -> Understanding: ...


# Actions that need no member (a newcomer may press them) and those that need one.
MEMBER_ACTIONS: dict[str, ActionHandler] = {
    "menu": common.show_menu,
    "help": common.show_help,
    "language": common.ask_language,
    "coordinator": common.ask_coordinator_message,
    "link": common.give_link_code,
    "join": common.follow_invitation,
    "need_help": asking.start,
    "my_requests": asking.show_my_requests,
    "cancel": asking.ask_cancel,
    "cancel_yes": asking.do_cancel,
    "thank": asking.do_thank,
    "requests": helping.show_open_requests,
    "accept": helping.do_accept,
    "decline": helping.do_decline,
    "my_tasks": helping.show_my_tasks,
    "done": helping.ask_hours,
    "withdraw": helping.ask_withdraw,
    "withdraw_yes": helping.do_withdraw,
    "approve": helping.do_approve,
    "polls": voting.show_polls,
    "vote": voting.do_vote,
    "vote_send": voting.send_multiple,
    "vote_retract": voting.retract,
    "vote_set": voting.set_choice,
    "ballot": voting.ask_ballot,
    "voice": organising.on_voice,
    "not_text": organising.on_not_text,
    "link_group": organising.link_room,
    "link_group_private": organising.explain_room_linking,
    "new_poll": organising.start_poll,
    "digest_off": helping.stop_digest,
    "digest_on": helping.start_digest,
}
# Actions whose argument must be a row id (1 to 2**31 - 1), checked before any handler runs.
NUMERIC_ARG = {
    "cancel",
    "cancel_yes",
    "thank",
    "accept",
    "decline",
    "done",
    "withdraw",
    "withdraw_yes",
    "approve",
    "vote_send",
    "vote_retract",
    "ballot",
}


SenderKey = tuple[str, str]  # (platform, user_ref)


@dataclass(frozen=True)
class Sends:
    """Messages a channel has sent, to record: they join the batch like a message."""

    messages: list[Outgoing]


Work = Inbound | Sends


class Speaker(NamedTuple):
    """Who sends a message, loaded once for a batch (holding them keeps them in the session)."""

    account: PlatformAccount
    member: Member | None
    conversation: Conversation | None


class ConversationEngine(DeliveryDesk):
    """Turns inbound messages into core calls and replies; channels deliver through it."""

    def __init__(
        self, core: Core, interpreter: Interpreter | None = None, flood: FloodGate | None = None
    ) -> None:
        self.core = core
        self.interpreter = interpreter
        self.lease = timedelta(seconds=core.settings.outbox_lease_seconds)
        settings = core.settings
        if flood is None:
            flood = FloodGate(settings.flood_burst, settings.flood_per_minute)
        self.flood = flood
        # Records of sends are one statement for all, and a channel waits for them before it
        # sends more: they never wait behind a full batch.
        self._together: GroupCommit[Work, list[Outgoing]] = GroupCommit(
            self._handle_batch, max_batch=MAX_BATCH, light=lambda item: isinstance(item, Sends)
        )

    async def handle(self, inbound: Inbound) -> list[Outgoing]:
        """Process one message or button press; return the replies to send in that chat.

        Messages of other people that arrive meanwhile are handled together with this one, in
        one transaction (see `batching`): under load each costs a fraction of a transaction.
        A sender over their rate (see `flood`) is dropped here, before any database work:
        told kindly once a minute, and always answered when it is an emergency.
        """
        verdict = self.flood.admit(
            (inbound.platform, inbound.user_ref), urgent=lambda: self._is_urgent(inbound)
        )
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.WARN:
            inbound = SlowDown.of(inbound)
        return await self._together.submit(inbound)

    def _is_urgent(self, inbound: Inbound) -> bool:
        """The keyword net of `_dispatch`, on a message of a sender over their rate."""
        text = inbound.text
        if text is None or inbound.action is not None:
            return False
        return looks_like_emergency(text[: self.core.settings.max_message_chars])

    async def mark_delivered(self, sent: list[Outgoing]) -> None:
        """Record the sends (in the transaction of the messages being handled, if any)."""
        if sent:
            await self._together.submit(Sends(sent))

    async def finish(self) -> None:
        """Wait for the messages being handled (before closing the database)."""
        await self._together.wait_idle()

    async def set_aside(
        self, source: str, ref: str, payload: str, error: str, attempts: int
    ) -> None:
        """Keep an update that failed repeatedly as a dead letter; the coordinators are told."""
        async with self.core.uow() as uow:
            await dead_letters.set_aside(
                uow,
                source,
                ref,
                payload=payload,
                error=error,
                attempts=attempts,
                territory_name=self.core.settings.default_territory,
            )
            await uow.commit()

    async def _handle_batch(self, items: list[Work]) -> list[list[Outgoing] | BaseException]:
        if len(items) == 1:
            try:
                return list(await self._run(items, alone=True))
            except Exception as error:  # given to that item's caller only
                return [error]
        try:
            return list(await self._run(items, alone=False))
        except Exception as error:  # the halves are handled apart
            # A refusal (DomainError), a conflict or a fault in one message undoes the batch:
            # handled again in halves, down to that message alone, so that only its sender
            # is refused and one bad message costs a few transactions, not one per message.
            log.debug("batch of %d handled again in halves: %r", len(items), error)
        half = len(items) // 2
        return [*await self._handle_batch(items[:half]), *await self._handle_batch(items[half:])]

    async def _run(self, items: list[Work], *, alone: bool) -> list[list[Outgoing]]:
        """One transaction: each message's receipt, change, conversation step and replies."""
        inbounds = [item for item in items if isinstance(item, Inbound)]
        sent = [message for item in items if isinstance(item, Sends) for message in item.messages]
        conflict: IntegrityError | None = None
        async with self.core.uow() as uow:
            if sent:  # first: they were on screen before any message of this batch was read
                await record_sends(uow, sent)
            handled = await self._already_handled(uow, inbounds)
            speakers = await self._speakers(uow, inbounds)
            turns: list[Turn | None] = []
            for item in items:
                turn = None
                if isinstance(item, Inbound) and (
                    item.message_ref is None or (item.platform, item.message_ref) not in handled
                ):
                    handled.add((item.platform, item.message_ref))
                    turn = await self._take_turn(uow, item, speakers, alone=alone)
                # else sends (recorded above) or a redelivery (already answered)
                turns.append(turn)
            try:
                await uow.session.flush()  # ids for the rendered replies
                replies = [self._rendered(turn) if turn else [] for turn in turns]
                await uow.commit()
            except IntegrityError as error:
                if not alone:
                    raise
                conflict = error
            else:
                return replies
        # Rolled back (its connection is free again): the same update arrived twice at once
        # and the other copy answered it, or a real constraint violation that must surface.
        if await self._is_redelivery(inbounds):
            return [[]]
        assert conflict is not None
        raise conflict

    async def _is_redelivery(self, inbounds: list[Inbound]) -> bool:
        """Whether this lone message's receipt exists (read in a fresh transaction): then
        another copy of the update was handled meanwhile, and the conflict was about it."""
        if len(inbounds) != 1 or inbounds[0].message_ref is None:
            return False
        inbound = inbounds[0]
        async with self.core.uow() as fresh:
            receipt = await fresh.session.get(
                InboundReceipt, (inbound.platform, inbound.message_ref)
            )
            return receipt is not None

    async def _take_turn(
        self,
        uow: UnitOfWork,
        inbound: Inbound,
        speakers: dict[SenderKey, Speaker],
        *,
        alone: bool,
    ) -> Turn:
        turn = await self._begin(uow, inbound, speakers)
        try:
            if isinstance(inbound, SlowDown):
                turn.reply(SLOW_DOWN)
            else:
                await self._dispatch(turn)
        except DomainError as error:
            if not alone:
                raise
            # The change is undone; the kind explanation and the receipt are kept.
            await uow.rollback()
            turn = await self._begin(uow, inbound, {})
            turn.reply(error.key, **error.params)
        lease_until = uow.now() + self.lease
        for row in turn.replies:
            # Leased to this caller, who sends them now; if it dies, the lease expires and
            # the outbox delivers them later.
            row.claimed_until = lease_until
            row.attempts = 1
        if inbound.message_ref is not None:
            uow.session.add(
                InboundReceipt(
                    platform=inbound.platform,
                    message_ref=inbound.message_ref,
                    received_at=uow.now(),
                )
            )
        return turn

    async def _already_handled(
        self, uow: UnitOfWork, inbounds: list[Inbound]
    ) -> set[tuple[str, str | None]]:
        """The receipts among these messages: one query for the batch."""
        handled: set[tuple[str, str | None]] = set()
        for platform in {i.platform for i in inbounds}:
            refs = {i.message_ref for i in inbounds if i.platform == platform and i.message_ref}
            if refs:
                rows = await uow.session.execute(
                    select(InboundReceipt.message_ref).where(
                        InboundReceipt.platform == platform, InboundReceipt.message_ref.in_(refs)
                    )
                )
                handled.update((platform, ref) for ref in rows.scalars())
        return handled

    async def _speakers(
        self, uow: UnitOfWork, inbounds: list[Inbound]
    ) -> dict[SenderKey, Speaker]:
        """The senders' accounts with their member and conversation, in one query for all."""
        known: dict[SenderKey, Speaker] = {}
        for platform in {i.platform for i in inbounds}:
            refs = {i.user_ref for i in inbounds if i.platform == platform}
            rows = await uow.session.execute(
                select(PlatformAccount, Member, Conversation)
                .outerjoin(Member, Member.id == PlatformAccount.member_id)
                .outerjoin(Conversation, Conversation.account_id == PlatformAccount.id)
                .where(PlatformAccount.platform == platform, PlatformAccount.external_id.in_(refs))
            )
            for account, member, conversation in rows:
                known[(platform, account.external_id)] = Speaker(account, member, conversation)
        return known

    def _rendered(self, turn: Turn) -> list[Outgoing]:
        rendered = [self._render(turn, row) for row in turn.replies]
        with_buttons = [message for message in rendered if message.buttons]
        if with_buttons:
            turn.set_data(last_choices=buttons_of(with_buttons[-1]))
        return rendered

    def _render(self, turn: Turn, row: Notification) -> Outgoing:
        return rendering.render_reply(
            row,
            turn.language,
            turn.territory.timezone,
            turn.account.chat_ref or turn.account.external_id,
            account_id=turn.account.id,
        )

    async def _begin(
        self, uow: UnitOfWork, inbound: Inbound, speakers: dict[SenderKey, Speaker]
    ) -> Turn:
        # Used once: a second message of the same person in the batch sees the first's changes.
        known = speakers.pop((inbound.platform, inbound.user_ref), None)
        account = await identity.ensure_account(
            uow,
            inbound.platform,
            inbound.user_ref,
            inbound.chat_ref,
            known=known.account if known else None,
        )
        if known is not None:
            member, conversation = known.member, known.conversation
        else:
            member = (
                await uow.session.get(Member, account.member_id) if account.member_id else None
            )
            conversation = await uow.session.get(Conversation, account.id)
        if member is not None and member.status == MemberStatus.ERASED:
            member = None
        if conversation is None:
            conversation = Conversation(account_id=account.id, data={}, updated_at=uow.now())
            uow.session.add(conversation)
        settings = self.core.settings
        invited = conversation.data.get("territory_id")
        if member is not None:
            territory = member.territory
        elif invited is not None and (found := await uow.session.get(Territory, invited)):
            territory = found
        else:
            territory = await members.ensure_territory(
                uow,
                inbound.territory or settings.default_territory,
                settings.default_timezone,
                settings.default_language,
            )
        return Turn(uow, inbound, account, conversation, territory, member)

    async def _dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        text = inbound.text
        if inbound.action is not None and len(inbound.action) > MAX_INBOUND_ACTION_CHARS:
            raise InvalidInput(STALE)  # no button, command or room id is that long
        if text is not None and inbound.action is None:
            limit = self.core.settings.max_message_chars
            text = clean_text(text, limit=limit, what="message")
            if looks_like_emergency(text):
                await common.answer_emergency(turn, text)
                return
        # Talking to a coordinator, a typed text is the message itself, never a button's number.
        to_coordinator = turn.conversation.flow == COORDINATOR_FLOW
        typed_choice = self._choice_action(turn, text) if text and not to_coordinator else None
        action = inbound.action or typed_choice
        if text and action is None and command_of(text) is None and self.interpreter is not None:
            turn.understood = await self.interpreter.parse(
                text, language=turn.language, timezone=turn.territory.timezone, now=turn.uow.now()
            )
            # Inside a flow (a name, a place...) only a clear emergency interrupts.
            threshold = 0.0 if turn.conversation.flow is None else IN_FLOW_EMERGENCY
            if (
                turn.understood.intent == understanding.EMERGENCY
                and turn.understood.confidence >= threshold
            ):
                await common.answer_emergency(turn, text)
                return
        if turn.member is None:
            await self._newcomer(turn, text, action)
            return
        if action is None and text:
            action = _typed_action(text, to_coordinator=to_coordinator)
        if turn.member.status == MemberStatus.SUSPENDED and not _open_when_suspended(
            action, turn.conversation.flow, typed=bool(text) and inbound.action is None
        ):
            raise Suspended()
        if action == "abort":
            await self._abort(turn)
            return
        if action is not None and not self._is_step_action(turn, action):
            await self._run_action(turn, action)
            return
        await self._continue_flow(turn, text, action)

    def _choice_action(self, turn: Turn, text: str) -> str | None:
        """A number or a label of the last buttons shown stands for pressing that button."""
        if turn.conversation.flow == "ballot":
            return None  # "1 3" or "2" are the numbers of a secret ballot's options there
        last = turn.data("last_choices") or []
        folded = fold(text)
        if is_position(folded) and 1 <= int(folded) <= len(last):
            return str(last[int(folded) - 1][1])
        for label, action in last:
            if fold(str(label)) == folded:
                return str(action)
        return None

    async def _newcomer(self, turn: Turn, text: str | None, action: str | None) -> None:
        words = fold(text or "").split()
        if len(words) == 2 and command_of(words[0]) == "link":
            await common.redeem_link_code(turn, words[1])
            return
        if action and action.startswith("link:"):
            await common.redeem_link_code(turn, action.partition(":")[2])
            return
        if action and action.startswith("join:"):
            await self._join_invited_territory(turn, action.partition(":")[2])
            return
        if turn.conversation.flow == "link":  # a code typed here waits for a yes or a no
            await self._continue_flow(turn, text, action)
            return
        if turn.conversation.flow != "onboarding":
            await onboarding.start(turn)
            return
        await self._continue_flow(turn, text, action)

    async def _join_invited_territory(self, turn: Turn, code: str) -> None:
        """A newcomer came with an invitation link: they join its territory if it still holds.

        A code that is unknown, revoked, expired or used up (or an old link carrying a
        territory's id) leads to the default territory, with a kind word.
        """
        if turn.data("invitation") == code and turn.data("territory_id") is not None:
            await onboarding.start(turn)  # the same link opened again: not a second use
            return
        invited = await invitations.redeem(turn.uow, code)
        if invited is not None:
            turn.territory = invited
            turn.set_data(territory_id=invited.id, invitation=code)
        else:
            turn.set_data(territory_id=None, invitation=None)
            turn.territory = await self._default_territory(turn.uow)
            turn.reply(
                "This invitation is no longer valid: you are joining {territory}. "
                "A coordinator can send you a new one.",
                territory=turn.territory.name,
            )
        await onboarding.start(turn)

    async def _default_territory(self, uow: UnitOfWork) -> Territory:
        settings = self.core.settings
        return await members.ensure_territory(
            uow, settings.default_territory, settings.default_timezone, settings.default_language
        )

    async def _abort(self, turn: Turn) -> None:
        if turn.conversation.flow == "link":  # "cancel" is a no: the code's owner is told
            await common.refuse_link(turn)
            return
        if turn.conversation.flow is None:
            await asking.show_my_requests(turn)
            return
        turn.goto(None)
        turn.reply("Stopped. Nothing was sent.", choices=common.menu_choices(turn))

    def _is_step_action(self, turn: Turn, action: str) -> bool:
        prefix = action.partition(":")[0]
        return prefix in STEP_ACTIONS.get((turn.conversation.flow, turn.conversation.step), set())

    async def _run_action(self, turn: Turn, action: str) -> None:
        name, _, arg = action.partition(":")
        handler = MEMBER_ACTIONS.get(name)
        if handler is None or len(action) > MAX_ACTION_CHARS:
            raise InvalidInput(STALE)
        if name in NUMERIC_ARG:
            parse_id(arg)  # the handlers' int(arg) is then an id the database can hold
        if name in ("vote", "vote_set") and not is_vote_argument(
            arg, allow_list=name == "vote_set"
        ):
            raise InvalidInput(STALE)
        await handler(turn, arg)

    async def _continue_flow(self, turn: Turn, text: str | None, action: str | None) -> None:
        flow, step = turn.conversation.flow, turn.conversation.step
        handler = STEPS.get((flow, step))
        if handler is not None:
            await handler(turn, text, action)
            return
        if turn.understood is not None:
            await understanding.act_on(turn, turn.understood)
            return
        turn.reply(
            "Sorry, I did not understand. Here is what I can do:",
            choices=common.menu_choices(turn),
        )


COORDINATOR_FLOW = "coordinator"
# While talking to a coordinator, the only typed words that are not sent: they move about.
MOVING_ABOUT = frozenset({"abort", "menu", "coordinator"})
# What a suspended member may still do: reach a coordinator, read the help, see the menu
# (which then offers only these two).
SUSPENDED_MAY = frozenset({"coordinator", "help", "menu"})


def _typed_action(text: str, *, to_coordinator: bool) -> str | None:
    """The command a typed text stands for. Talking to a coordinator, every typed text is only
    a message to them ("mes missions", "lier CODE" run nothing), but words to move about."""
    command = command_of(text)
    if to_coordinator:
        return command if command in MOVING_ABOUT else None
    return command or _link_code_action(text)


def _open_when_suspended(action: str | None, flow: str | None, *, typed: bool) -> bool:
    """A suspended member may only reach the coordinators (see `SUSPENDED_MAY`), write to
    them, and leave a flow they were in."""
    if action is None:
        return typed and flow == COORDINATOR_FLOW
    return action in SUSPENDED_MAY or (action == "abort" and flow is not None)


def _link_code_action(text: str) -> str | None:
    """ "lier ABC123" / "link ABC123" typed as text."""
    words = fold(text).split()
    if len(words) == 2 and command_of(words[0]) == "link":
        return f"link:{words[1][:16]}"
    return None


# --- Steps of multi-message flows -----------------------------------------------------------

StepHandler = Callable[[Turn, "str | None", "str | None"], Awaitable[None]]


def _button_or_text(prefix: str, on_value: Callable[[Turn, str], Awaitable[None]]) -> StepHandler:
    async def step(turn: Turn, text: str | None, action: str | None) -> None:
        if action and action.startswith(prefix + ":"):
            await on_value(turn, action.partition(":")[2])
        elif text:
            await on_value(turn, text)
        else:
            raise InvalidInput("Please choose one of the buttons.")

    return step


async def _onboarding_language(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("lang:"):
        await onboarding.on_language(turn, action.partition(":")[2])
        return
    folded = fold(text or "")
    language = (
        "fr"
        if folded.startswith(("fr", "francais"))
        else "en"
        if folded.startswith(("en", "anglais"))
        else None
    )
    if language is None:
        await onboarding.start(turn)
        return
    await onboarding.on_language(turn, language)


async def _onboarding_name(turn: Turn, text: str | None, action: str | None) -> None:
    if not text:
        raise InvalidInput("What is your first name?")
    await onboarding.on_name(turn, text)


async def _onboarding_role(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("role:"):
        await onboarding.on_role(turn, action.partition(":")[2])
        return
    raise InvalidInput("Please choose one of the buttons.")


async def _onboarding_neighbourhood(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("nb:"):
        await onboarding.on_neighbourhood(turn, action.partition(":")[2], from_button=True)
    elif text:
        await onboarding.on_neighbourhood(turn, text, from_button=False)
    else:
        raise InvalidInput("Please choose one of the buttons.")


async def _onboarding_skills(turn: Turn, text: str | None, action: str | None) -> None:
    if action == "skills_done":
        await onboarding.on_skills_done(turn)
    elif action and action.startswith("skill:"):
        await onboarding.on_skill(turn, action.partition(":")[2])
    else:
        raise InvalidInput("Please choose one of the buttons.")


async def _onboarding_availability(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("avail:"):
        await onboarding.on_availability(turn, action.partition(":")[2])
    else:
        raise InvalidInput("Please choose one of the buttons.")


def _optional_text(on_value: Callable[[Turn, str | None], Awaitable[None]]) -> StepHandler:
    async def step(turn: Turn, text: str | None, action: str | None) -> None:
        if action == "skip":
            await on_value(turn, None)
        elif text:
            await on_value(turn, text)
        else:
            raise InvalidInput('Please write it, or press "Skip".')

    return step


async def _ask_when(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("when:"):
        await asking.on_when(turn, action.partition(":")[2], preset=True)
    elif text:
        await asking.on_when(turn, text, preset=False)
    else:
        raise InvalidInput("Please choose one of the buttons.")


async def _ask_where(turn: Turn, text: str | None, action: str | None) -> None:
    if action == "where:home":
        await asking.on_place(turn, None)
    elif text:
        await asking.on_place(turn, clean_text(text, limit=300, what="place"))
    else:
        raise InvalidInput("Please choose one of the buttons.")


async def _ask_confirm(turn: Turn, text: str | None, action: str | None) -> None:
    if action == "confirm" or (text and command_of(text) is None and fold(text) in YES_WORDS):
        await asking.on_confirm(turn)
        return
    turn.reply(
        "Shall I send it to the volunteers?",
        choices=[outbox.Choice("Yes, send it", "confirm"), outbox.Choice("Cancel", "abort")],
    )


async def _ballot_numbers(turn: Turn, text: str | None, action: str | None) -> None:
    if not text:
        raise InvalidInput("Please write the numbers of your choices, for example: 1 3")
    await voting.on_ballot_numbers(turn, text)


async def _coordinator_message(turn: Turn, text: str | None, action: str | None) -> None:
    if not text:
        raise InvalidInput("Please write your message.")
    await common.forward_to_coordinators(turn, text)


async def _done_hours(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("hours:"):
        await helping.on_hours(turn, action.partition(":")[2])
    elif text:
        await helping.on_hours(turn, text)
    else:
        raise InvalidInput("Please give the hours as a number between 0.25 and 24.")


async def _language_choose(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("lang:") and action[5:] in ("fr", "en"):
        await common.set_language(turn, action[5:])
        return
    await common.ask_language(turn)


async def _link_confirm(turn: Turn, text: str | None, action: str | None) -> None:
    """Join this account to the code's member only on an explicit yes."""
    folded = fold(text or "")
    if action == "link_yes" or (text and command_of(text) is None and folded in YES_WORDS):
        await common.confirm_link(turn)
    elif action == "link_no" or (text and (folded in NO_WORDS or command_of(text) == "abort")):
        await common.refuse_link(turn)
    else:
        turn.reply("Please answer yes or no.", choices=common.LINK_CHOICES)


NO_WORDS = {"non", "no", "non merci", "no thanks", "pas moi", "not me"}
YES_WORDS = {
    "oui",
    "yes",
    "ok",
    "d'accord",
    "daccord",
    "envoyer",
    "send",
    "oui merci",
    "yes please",
}


async def _poll_question(turn: Turn, text: str | None, action: str | None) -> None:
    if not text:
        raise InvalidInput("What is the question of the poll?")
    await organising.on_question(turn, text)


async def _poll_options(turn: Turn, text: str | None, action: str | None) -> None:
    if action == "poll_kind:proposal":
        await organising.on_options(turn, None, kind="proposal")
    elif text:
        await organising.on_options(turn, text)
    else:
        raise InvalidInput("Write the answers, one per line.")


async def _poll_duration(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("poll_days:"):
        await organising.on_duration(turn, action.partition(":")[2])
    else:
        raise InvalidInput("Please choose one of the buttons.")


async def _poll_ballot(turn: Turn, text: str | None, action: str | None) -> None:
    if action and action.startswith("poll_ballot:"):
        await organising.on_ballot(turn, action.partition(":")[2])
    else:
        raise InvalidInput("Please choose one of the buttons.")


STEPS: dict[tuple[str | None, str | None], StepHandler] = {
    ("onboarding", "language"): _onboarding_language,
    ("onboarding", "name"): _onboarding_name,
    ("onboarding", "role"): _onboarding_role,
    ("onboarding", "neighbourhood"): _onboarding_neighbourhood,
    ("onboarding", "skills"): _onboarding_skills,
    ("onboarding", "availability"): _onboarding_availability,
    ("onboarding", "phone"): _optional_text(onboarding.on_phone),
    ("onboarding", "address"): _optional_text(onboarding.on_address),
    ("ask", "category"): _button_or_text("cat", asking.on_category),
    ("ask", "when"): _ask_when,
    ("ask", "where"): _ask_where,
    ("ask", "confirm"): _ask_confirm,
    ("coordinator", "message"): _coordinator_message,
    ("done", "hours"): _done_hours,
    ("language", "choose"): _language_choose,
    ("poll", "question"): _poll_question,
    ("poll", "options"): _poll_options,
    ("poll", "duration"): _poll_duration,
    ("poll", "ballot"): _poll_ballot,
    ("ballot", "numbers"): _ballot_numbers,
    ("link", "confirm"): _link_confirm,
}
# Button prefixes that belong to a step (not global actions).
STEP_ACTIONS: dict[tuple[str | None, str | None], set[str]] = {
    ("onboarding", "language"): {"lang"},
    ("onboarding", "role"): {"role"},
    ("onboarding", "neighbourhood"): {"nb"},
    ("onboarding", "skills"): {"skill", "skills_done"},
    ("onboarding", "availability"): {"avail"},
    ("onboarding", "phone"): {"skip"},
    ("onboarding", "address"): {"skip"},
    ("ask", "category"): {"cat"},
    ("ask", "when"): {"when"},
    ("ask", "where"): {"where"},
    ("ask", "confirm"): {"confirm"},
    ("done", "hours"): {"hours"},
    ("language", "choose"): {"lang"},
    ("poll", "options"): {"poll_kind"},
    ("poll", "duration"): {"poll_days"},
    ("poll", "ballot"): {"poll_ballot"},
    ("link", "confirm"): {"link_yes", "link_no"},
}
