"""The local Bot API server against the real python-telegram-bot Application (and raw HTTP)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    PollAnswer,
    Update,
)
from telegram.constants import ChatMemberStatus
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

from .bot_api import FakeBotApi

JSON = dict[str, Any]
ALLOWED = ["message", "edited_message", "callback_query", "poll", "poll_answer", "my_chat_member"]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = await FakeBotApi.start()
    yield server
    await server.stop()
    assert server.server_errors == []


@dataclass
class Seen:
    """What the bot's handlers received."""

    texts: list[Update] = field(default_factory=list)
    callbacks: list[CallbackQuery] = field(default_factory=list)
    poll_answers: list[PollAnswer] = field(default_factory=list)
    polls: list[Any] = field(default_factory=list)
    memberships: list[ChatMemberUpdated] = field(default_factory=list)
    commands: list[tuple[str, list[str]]] = field(default_factory=list)
    voices: list[Update] = field(default_factory=list)


def build(api: FakeBotApi, seen: Seen) -> Application:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen.texts.append(update)
        await update.message.reply_text(update.message.text or "")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen.commands.append(("start", list(context.args or [])))
        await update.message.reply_text(f"Bienvenue ({' '.join(context.args or [])})")

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        seen.callbacks.append(query)
        await query.answer(f"Reçu : {query.data}")
        await query.edit_message_text(f"Choisi : {query.data}")

    async def on_poll_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.poll_answer is not None
        seen.poll_answers.append(update.poll_answer)

    async def on_poll(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.polls.append(update.poll)

    async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.my_chat_member is not None
        seen.memberships.append(update.my_chat_member)

    async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.voices.append(update)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.VOICE, on_voice))
    app.add_handler(CallbackQueryHandler(on_press))
    app.add_handler(PollAnswerHandler(on_poll_answer))
    app.add_handler(PollHandler(on_poll))
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    return app


Starter = Callable[..., Awaitable[tuple[Application, Seen]]]  # type: ignore[type-arg]


@pytest.fixture
async def running(api: FakeBotApi) -> AsyncIterator[Starter]:
    """Start the real Application polling our server: `app, seen = await running(timeout=1)`."""
    started: list[Application] = []  # type: ignore[type-arg]

    async def start(timeout: int = 1) -> tuple[Application, Seen]:  # type: ignore[type-arg]
        seen = Seen()
        app = build(api, seen)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timeout, allowed_updates=ALLOWED)
        started.append(app)
        return app, seen

    yield start
    for app in started:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def until(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)
    return value


# --- through the real Application -------------------------------------------------------------


async def test_echo_round_trip(api: FakeBotApi, running: Starter) -> None:
    _, seen = await running()
    alice = api.user(1001, "Alice", username="alice")

    update = api.private_text(alice, "Bonjour, j'ai besoin d'aide")
    [reply] = await api.wait_sent(alice, 1)

    assert reply.text == "Bonjour, j'ai besoin d'aide"
    assert reply.message_id == update["message"]["message_id"] + 1
    [received] = seen.texts
    assert received.update_id == update["update_id"]
    assert received.effective_user is not None and received.effective_user.username == "alice"
    assert received.effective_chat is not None and received.effective_chat.type == "private"
    methods = [r.method for r in api.all_requests]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    send = api.requests("sendMessage")[0]
    assert send.params["chat_id"] == 1001  # form-encoded "1001", decoded
    assert api.requests("getUpdates")[0].params["allowed_updates"] == ALLOWED
    assert api.allowed_updates == set(ALLOWED)


async def test_command_with_argument(api: FakeBotApi, running: Starter) -> None:
    _, seen = await running()
    bob = api.user(1002, "Bob")
    update = api.command(bob, "/start", args="INVIT-42")
    assert update is not None
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [reply] = await api.wait_sent(bob)
    assert seen.commands == [("start", ["INVIT-42"])]
    assert reply.text == "Bienvenue (INVIT-42)"


async def test_long_poll_answers_early_and_does_not_spin(
    api: FakeBotApi, running: Starter
) -> None:
    await running(timeout=10)
    alice = api.user(1001, "Alice")

    # PTB is waiting in a getUpdates with timeout=10.
    await api.wait_until(
        lambda: [r for r in api.requests("getUpdates") if r.status is None and r.params["timeout"]]
    )
    await asyncio.sleep(0.5)
    calls_while_idle = len(api.requests("getUpdates"))
    assert calls_while_idle <= 2  # it waits rather than spinning

    injected_at = time.monotonic()
    api.private_text(alice, "coucou")
    [reply] = await api.wait_sent(alice, 1, timeout=3)
    elapsed = time.monotonic() - injected_at
    assert reply.text == "coucou"
    assert elapsed < 2.0  # well under the 10 s timeout


async def test_update_delivered_once(api: FakeBotApi, running: Starter) -> None:
    _, seen = await running()
    alice = api.user(1001, "Alice")
    first = api.private_text(alice, "un")
    second = api.private_text(alice, "deux")
    await api.wait_sent(alice, 2)
    await api.wait_confirmed()
    # More polls happen: nothing comes twice.
    polls = len(api.requests("getUpdates"))
    await api.wait_until(lambda: len(api.requests("getUpdates")) >= polls + 1)
    assert [u.update_id for u in seen.texts] == [first["update_id"], second["update_id"]]
    assert [m.text for m in api.sent(alice)] == ["un", "deux"]
    assert api.pending_updates == []


async def test_duplicate_update_reaches_the_bot_again(api: FakeBotApi, running: Starter) -> None:
    _, seen = await running()
    alice = api.user(1001, "Alice")
    update = api.private_text(alice, "une fois")
    await api.wait_sent(alice, 1)
    await api.wait_confirmed()
    api.duplicate_last_update()
    await api.wait_sent(alice, 2)
    # PTB does not deduplicate: the adapter has to.
    assert [u.update_id for u in seen.texts] == [update["update_id"]] * 2


async def test_button_press_is_answered(api: FakeBotApi, running: Starter) -> None:
    app, seen = await running()
    alice = api.user(1001, "Alice", started=True)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Oui", callback_data="accept:7")],
            [InlineKeyboardButton("Non", callback_data="decline:7")],
        ]
    )
    sent = await app.bot.send_message(1001, "Pouvez-vous aider Bob ?", reply_markup=keyboard)
    [message] = api.sent(alice)
    assert message.callback_data == ["accept:7", "decline:7"]
    assert sent.reply_markup == keyboard

    update = api.press(alice, message, "accept:7")
    await api.wait_requests("editMessageText")

    [query] = seen.callbacks
    assert query.id == update["callback_query"]["id"]
    assert query.data == "accept:7"
    assert query.message is not None and query.message.message_id == message.message_id
    [answer] = api.callback_answers
    assert (answer.callback_query_id, answer.text, answer.user_id) == (
        query.id,
        "Reçu : accept:7",
        1001,
    )
    assert api.unanswered_callbacks == []
    # Edited without reply_markup: Telegram removes the keyboard.
    assert message.texts == ["Pouvez-vous aider Bob ?", "Choisi : accept:7"]
    assert message.reply_markup is None
    with pytest.raises(ValueError, match=r"(?i)no button"):
        api.press(alice, message, "accept:7")


async def test_poll_answer_reaches_the_bot(api: FakeBotApi, running: Starter) -> None:
    app, seen = await running()
    alice = api.user(1001, "Alice", started=True)
    message = await app.bot.send_poll(
        1001, "Quel créneau ?", ["Lundi", "Mardi", "Jeudi"], is_anonymous=False
    )
    poll = message.poll
    assert poll is not None
    assert (poll.is_anonymous, poll.type, poll.allows_revoting, poll.members_only) == (
        False,
        "regular",
        True,
        False,
    )
    assert [o.voter_count for o in poll.options] == [0, 0, 0]
    assert len({o.persistent_id for o in poll.options}) == 3

    api.answer_poll(alice, poll.id, [1])
    await until(lambda: seen.poll_answers)
    answer = seen.poll_answers[0]
    assert answer.poll_id == poll.id
    assert answer.option_ids == (1,)
    assert answer.option_persistent_ids == (poll.options[1].persistent_id,)
    assert answer.user is not None and answer.user.id == 1001

    api.answer_poll(alice, poll.id, [], poll_update=True)  # retracts
    await until(lambda: len(seen.poll_answers) == 2 and seen.polls)
    assert seen.poll_answers[1].option_ids == ()
    assert seen.polls[0].total_voter_count == 0

    api.answer_poll(alice, poll.id, [2])
    final = await app.bot.stop_poll(1001, message.message_id)
    assert final.is_closed
    assert [o.voter_count for o in final.options] == [0, 0, 1]
    with pytest.raises(BadRequest, match=r"(?i)Poll has already been closed"):
        await app.bot.stop_poll(1001, message.message_id)


async def test_anonymous_poll_counts_come_by_poll_updates(
    api: FakeBotApi, running: Starter
) -> None:
    app, seen = await running()
    api.user(1001, "Alice", started=True)
    message = await app.bot.send_poll(1001, "Ça vous va ?", ["Oui", "Non"])
    assert message.poll is not None and message.poll.is_anonymous
    assert api.answer_poll(api.users[1001], message.poll.id, [0]) is None
    api.poll_update(message.poll.id)
    await until(lambda: seen.polls)
    assert [o.voter_count for o in seen.polls[0].options] == [1, 0]
    assert seen.poll_answers == []


async def test_text_limits_and_parse_errors(api: FakeBotApi, running: Starter) -> None:
    app, _ = await running()
    alice = api.user(1001, "Alice", started=True)
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await app.bot.send_message(1001, "x" * 4097)
    await app.bot.send_message(1001, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
        await app.bot.send_message(1001, "   ")
    with pytest.raises(BadRequest, match=r"(?i)Can't parse entities"):
        await app.bot.send_message(1001, "<b>Bonjour", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Unsupported start tag"):
        await app.bot.send_message(1001, "ligne<br>ligne", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)is reserved"):
        await app.bot.send_message(1001, "Merci.", parse_mode="MarkdownV2")

    sent = await app.bot.send_message(1001, "<b>Bonjour</b> &amp; bienvenue", parse_mode="HTML")
    assert sent.text == "Bonjour & bienvenue"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 7)]
    assert api.last_sent(alice).source_text == "<b>Bonjour</b> &amp; bienvenue"  # type: ignore[union-attr]
    assert [r.status for r in api.requests("sendMessage")] == [400, 200, 400, 400, 400, 400, 200]


async def test_keyboard_and_edit_errors(api: FakeBotApi, running: Starter) -> None:
    app, _ = await running()
    api.user(1001, "Alice", started=True)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await app.bot.send_message(1001, "choix", reply_markup=too_long)
    sent = await app.bot.send_message(1001, "choix")
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await app.bot.edit_message_text("choix", chat_id=1001, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await app.bot.edit_message_text("autre", chat_id=1001, message_id=sent.message_id + 1)


async def test_reply_markup_edits_remove_and_replace_the_keyboard(
    api: FakeBotApi, running: Starter
) -> None:
    app, _ = await running()
    alice = api.user(1001, "Alice", started=True)
    first = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
    second = InlineKeyboardMarkup([[InlineKeyboardButton("Non", callback_data="no")]])
    sent = await app.bot.send_message(1001, "Toujours partant ?", reply_markup=first)

    edited = await app.bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=second)
    assert isinstance(edited, type(sent)) and edited.reply_markup == second
    # Without reply_markup (what PTB sends for None): Telegram removes the keyboard.
    await app.bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=None)
    [message] = api.sent(alice)
    assert message.reply_markup is None and message.text == "Toujours partant ?"
    assert [version["reply_markup"] for version in message.history] == [
        first.to_dict(),
        second.to_dict(),
    ]
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await app.bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await app.bot.edit_message_reply_markup(1001, sent.message_id + 1, reply_markup=None)
    theirs = api.private_text(alice, "oui")["message"]["message_id"]
    with pytest.raises(BadRequest, match=r"(?i)Message can't be edited"):
        await app.bot.edit_message_reply_markup(1001, theirs, reply_markup=second)


async def test_flood_limit_raises_retry_after(api: FakeBotApi, running: Starter) -> None:
    app, _ = await running()
    alice = api.user(1001, "Alice", started=True)
    api.fail_next("sendMessage", 429, retry_after=2)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(1001, "vite")
    assert caught.value.retry_after == timedelta(seconds=2)
    assert api.requests("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 2",
        "parameters": {"retry_after": 2},
    }
    assert api.sent(alice) == []
    await app.bot.send_message(1001, "plus tard")
    assert [m.text for m in api.sent(alice)] == ["plus tard"]


async def test_blocked_user_gives_forbidden(api: FakeBotApi, running: Starter) -> None:
    app, seen = await running()
    alice = api.user(1001, "Alice")
    with pytest.raises(Forbidden, match=r"(?i)Bot can.t initiate conversation with a user"):
        await app.bot.send_message(1001, "bonjour")
    api.private_text(alice, "salut")
    await api.wait_sent(alice)
    api.block(alice)
    await until(lambda: seen.memberships)
    assert seen.memberships[0].new_chat_member.status == ChatMemberStatus.BANNED
    with pytest.raises(Forbidden, match=r"(?i)Bot was blocked by the user"):
        await app.bot.send_message(1001, "toujours là ?")
    assert api.requests("sendMessage")[-1].response == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }


async def test_connection_faults_give_network_errors(api: FakeBotApi, running: Starter) -> None:
    app, _ = await running()
    alice = api.user(1001, "Alice", started=True)

    api.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await app.bot.send_message(1001, "perdu")
    assert api.sent(alice) == []  # dropped before processing: nothing happened

    api.drop_next("sendMessage", before_processing=False)
    with pytest.raises(NetworkError):
        await app.bot.send_message(1001, "arrivé quand même")
    assert [m.text for m in api.sent(alice)] == ["arrivé quand même"]  # the client never knew

    api.fail_next("sendMessage", 502)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await app.bot.send_message(1001, "passerelle")

    api.delay_next("sendMessage", 0.6)
    with pytest.raises(TimedOut):
        await app.bot.send_message(1001, "lent", read_timeout=0.2)
    await api.wait_sent(alice, 2)  # processed after the delay all the same
    assert [m.text for m in api.sent(alice)] == ["arrivé quand même", "lent"]


async def test_group_membership_and_privacy_mode(api: FakeBotApi, running: Starter) -> None:
    app, seen = await running()
    claire = api.user(2001, "Claire")
    group = api.group(title="Entraide Rezé")
    with pytest.raises(Forbidden, match=r"(?i)Bot is not a member of the group chat"):
        await app.bot.send_message(group.id, "bonjour")

    api.add_bot_to_group(group, claire)
    await until(lambda: seen.memberships)
    added = seen.memberships[0]
    assert added.chat.type == "group" and added.chat.title == "Entraide Rezé"
    assert (added.old_chat_member.status, added.new_chat_member.status) == ("left", "member")

    assert api.group_text(group, claire, "simple discussion") is None  # privacy mode
    assert api.command(claire, "/start", chat=group, mention=True) is not None
    [welcome] = await api.wait_sent(group)
    assert welcome.text == "Bienvenue ()"
    assert api.group_text(group, claire, "merci !", reply_to=welcome) is not None
    await api.wait_sent(group, 2)
    assert [u.message.text for u in seen.texts if u.message] == ["merci !"]

    sent = await app.bot.send_message(
        group.id,
        "Qui peut aider ?",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Moi", callback_data="me")]]),
    )
    api.press(claire, sent, "me")
    await until(lambda: seen.callbacks)
    assert seen.callbacks[0].message is not None
    assert seen.callbacks[0].message.chat.id == group.id


async def test_command_menus_by_scope_and_language(api: FakeBotApi, running: Starter) -> None:
    app, _ = await running()
    await app.bot.set_my_commands(
        [BotCommand("aide", "Demander de l'aide")], scope=BotCommandScopeAllPrivateChats()
    )
    await app.bot.set_my_commands(
        [BotCommand("help", "Ask for help")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="en",
    )
    await app.bot.set_my_commands(
        [BotCommand("sondage", "Créer un sondage")], scope=BotCommandScopeAllGroupChats()
    )
    private = {"type": "all_private_chats"}
    assert api.command_names(private) == {"aide"}
    assert api.command_names(private, language_code="en") == {"help"}
    assert api.command_names({"type": "all_group_chats"}) == {"sondage"}
    assert api.command_names() == set()  # the default scope was never set

    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Aide", "majuscule")])
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_description_invalid"):
        await app.bot.set_my_commands([BotCommand("aide", "x" * 257)])
    with pytest.raises(BadRequest, match=r"(?i)Invalid language code"):
        await app.bot.set_my_commands([BotCommand("aide", "Aide")], language_code="fra")
    await app.bot.set_my_commands([], scope=BotCommandScopeAllPrivateChats())  # removes it
    assert api.command_names(private) == set()


async def test_chat_members_by_status(api: FakeBotApi, running: Starter) -> None:
    app, _ = await running()
    alice = api.user(1001, "Alice", started=True)
    bob = api.user(1002, "Bob")
    carol = api.user(1003, "Carol")
    group = api.group(title="Entraide Rezé")
    api.add_bot_to_group(group, alice)
    api.set_member_status(group, bob, "restricted")

    member = await app.bot.get_chat_member(1001, 1001)
    assert member.status == ChatMemberStatus.MEMBER and member.user.id == alice.id
    assert (await app.bot.get_chat_member(group.id, alice.id)).status == ChatMemberStatus.MEMBER
    restricted = await app.bot.get_chat_member(group.id, bob.id)
    assert restricted.status == ChatMemberStatus.RESTRICTED
    assert (await app.bot.get_chat_member(group.id, carol.id)).status == ChatMemberStatus.LEFT
    api.set_member_status(group, carol, "administrator")
    admin = await app.bot.get_chat_member(group.id, carol.id)
    assert admin.status == ChatMemberStatus.ADMINISTRATOR and admin.user.first_name == "Carol"
    me = await app.bot.get_chat_member(group.id, api.bot_id)
    assert me.status == ChatMemberStatus.MEMBER and me.user.is_bot

    with pytest.raises(BadRequest, match=r"(?i)User not found"):
        await app.bot.get_chat_member(group.id, 999)
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await app.bot.get_chat_member(-999, alice.id)


async def test_voice_message_reaches_the_bot(api: FakeBotApi, running: Starter) -> None:
    _, seen = await running()
    alice = api.user(1001, "Alice")
    update = api.voice(alice, duration=4, content=b"OggS voice bytes")
    await until(lambda: seen.voices)
    [received] = seen.voices
    assert received.update_id == update["update_id"]
    assert received.message is not None and received.message.voice is not None
    voice = received.message.voice
    assert (voice.duration, voice.file_size, voice.mime_type) == (
        timedelta(seconds=4),
        len(b"OggS voice bytes"),
        "audio/ogg",
    )
    assert seen.texts == []


async def test_wrong_token_is_rejected(api: FakeBotApi) -> None:
    # Our own request objects: PTB does not close them when initialize() fails.
    requests = [HTTPXRequest(), HTTPXRequest()]
    bot = Bot(
        "999:WRONG", base_url=api.base_url, request=requests[0], get_updates_request=requests[1]
    )
    try:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await bot.initialize()
    finally:
        for request in requests:
            await request.shutdown()


# --- through a bare Bot (nobody polling) -----------------------------------------------------


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """PTB's Bot on our server, initialized (getMe), without an Application polling."""
    async with Bot(api.token, base_url=api.base_url) as bare:
        yield bare


async def test_webhook_set_and_deleted(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)An HTTPS URL must be provided for webhook"):
        await bot.set_webhook("http://bot.example/hook")
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook("https://bot.example/hook", secret_token="pas de blancs")
    alice = api.user(1001, "Alice")
    waiting = api.private_text(alice, "déjà là")

    assert await bot.set_webhook(
        "https://bot.example/hook", secret_token="s3cret_-", allowed_updates=["message"]
    )
    assert api.webhook_url == "https://bot.example/hook"
    assert api.webhook["secret_token"] == "s3cret_-"
    assert api.allowed_updates == {"message"}
    with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook()
    assert api.webhook_url == ""
    [update] = await bot.get_updates()  # kept while the webhook was set
    assert update.update_id == waiting["update_id"]
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert api.pending_updates == []


async def test_a_button_press_is_answered_once_within_200_characters(
    api: FakeBotApi, bot: Bot
) -> None:
    alice = api.user(1001, "Alice", started=True)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
    sent = await bot.send_message(1001, "D'accord ?", reply_markup=keyboard)
    query_id = api.press(alice, sent, "yes")["callback_query"]["id"]
    assert api.unanswered_callbacks == [query_id]

    with pytest.raises(BadRequest, match=r"(?i)Message_too_long"):
        await bot.answer_callback_query(query_id, "x" * 201, show_alert=True)
    assert await bot.answer_callback_query(query_id, "x" * 200, show_alert=True)
    [answer] = api.callback_answers
    assert (answer.user_id, answer.data, answer.show_alert) == (1001, "yes", True)
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await bot.answer_callback_query("12345")


async def test_send_voice_and_audio_by_file_id_as_the_bot_api_does(
    api: FakeBotApi, bot: Bot
) -> None:
    alice = api.user(1001, "Alice", started=True)
    spoken = api.voice(alice, duration=7)
    recorded = api.audio(alice, duration=30)
    assert spoken is not None and recorded is not None
    voice_id = spoken["message"]["voice"]["file_id"]
    audio_id = recorded["message"]["audio"]["file_id"]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Je rappelle", callback_data="t:1")]])

    sent = await bot.send_voice(
        1001,
        voice_id,
        caption="<b>Alice</b> a laissé un message",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    assert sent.voice is not None and sent.voice.file_id == voice_id
    assert sent.voice.duration == timedelta(seconds=7)
    assert sent.caption == "Alice a laissé un message"
    assert sent.caption_entities[0].type == "bold"
    assert sent.reply_markup is not None and sent.text is None
    heard = await bot.send_audio(1001, audio_id)
    assert heard.audio is not None and heard.audio.file_id == audio_id and heard.caption is None

    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_voice(1001, "AwACAgQAAxkBAAInotissued")
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_voice(1001, audio_id)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_voice(1001, voice_id, caption="x" * 1025)
    async with httpx.AsyncClient() as raw:
        answer = await raw.post(f"{api.base_url}{api.token}/sendVoice", json={"chat_id": 1001})
    assert answer.status_code == 400
    assert answer.json()["description"] == "Bad Request: there is no voice in the request"
    api.block(alice)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_voice(1001, voice_id)


async def test_poll_limits(api: FakeBotApi, bot: Bot) -> None:
    api.user(1001, "Alice", started=True)
    with pytest.raises(BadRequest, match=r"(?i)Poll can't have more than 12 options"):
        await bot.send_poll(1001, "Quel jour ?", [f"Jour {i}" for i in range(13)])
    with pytest.raises(BadRequest, match=r"(?i)Poll_option_duplicate"):
        await bot.send_poll(1001, "Quel jour ?", ["Lundi", "Lundi"])
    with pytest.raises(BadRequest, match=r"(?i)Poll question length must not exceed 300"):
        await bot.send_poll(1001, "?" * 301, ["Oui", "Non"])
    with pytest.raises(BadRequest, match=r"(?i)Poll options length must not exceed 100"):
        await bot.send_poll(1001, "Quel jour ?", ["x" * 101, "Non"])
    sent = await bot.send_poll(
        1001, "?" * 300, [f"Jour {i}" for i in range(12)], allows_multiple_answers=True
    )
    assert sent.poll is not None and sent.poll.allows_multiple_answers
    assert len(sent.poll.options) == 12
    text = await bot.send_message(1001, "pas un sondage")
    with pytest.raises(BadRequest, match=r"(?i)Message with poll to stop not found"):
        await bot.stop_poll(1001, text.message_id)


# --- raw HTTP: encodings, error bodies, getUpdates semantics -------------------------------


async def test_request_encodings_and_error_bodies(api: FakeBotApi) -> None:
    alice = api.user(1001, "Alice", started=True)
    url = f"{api.base_url}{api.token}"
    keyboard = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            f"{url}/sendMessage",
            json={"chat_id": "1001", "text": "123", "reply_markup": keyboard},
        )
        as_form = await client.post(
            f"{url}/sendmessage",
            data={"chat_id": "1001", "text": "true", "reply_markup": '{"inline_keyboard": []}'},
        )
        as_multipart = await client.post(
            f"{url}/sendMessage",
            data={"chat_id": "1001", "text": "multi"},
            files={"ignored": ("a.txt", b"x")},
        )
        as_get = await client.get(f"{url}/getMe")
        unknown = await client.post(f"{url}/sendTelepathy", data={"chat_id": "1001"})
        # Real methods the bot never calls are not pretended either.
        unused = [
            (await client.post(f"{url}/{method}", data={"chat_id": "1001"})).status_code
            for method in ("getChat", "deleteMessage", "sendChatAction", "getFile")
        ]
        unauthorized = await client.post(f"{api.base_url}1:NOPE/getMe")
        bad_gateway = None
        api.fail_next("getMe", 502)
        bad_gateway = await client.get(f"{url}/getMe")

    assert as_json.json()["result"]["text"] == "123"
    assert as_json.json()["result"]["reply_markup"] == keyboard
    assert as_form.json()["result"]["text"] == "true"
    assert as_multipart.json()["ok"] is True
    assert [m.text for m in api.sent(alice)] == ["123", "true", "multi"]
    me = as_get.json()["result"]
    assert me["is_bot"] is True and me["can_join_groups"] is True
    assert me["can_read_all_group_messages"] is False and me["supports_inline_queries"] is False
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert unused == [404] * 4
    assert (unauthorized.status_code, unauthorized.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert bad_gateway.status_code == 502
    assert bad_gateway.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in bad_gateway.text


async def test_get_updates_semantics(api: FakeBotApi) -> None:
    alice = api.user(1001, "Alice")
    url = f"{api.base_url}{api.token}/getUpdates"
    async with httpx.AsyncClient(timeout=10) as client:

        async def get(**params: Any) -> Any:
            response = await client.post(url, json=params)
            return response.json()

        first = api.private_text(alice, "un")
        second = api.private_text(alice, "deux")
        ids = [first["update_id"], second["update_id"]]
        assert [u["update_id"] for u in (await get())["result"]] == ids
        # Not confirmed: they come again; limit applies.
        assert [u["update_id"] for u in (await get(limit=1))["result"]] == ids[:1]
        # offset confirms what is older.
        assert [u["update_id"] for u in (await get(offset=ids[1]))["result"]] == ids[1:]
        assert (await get(offset=ids[1] + 1))["result"] == []
        assert api.pending_updates == []

        # Long polling: an empty answer after the timeout...
        started = time.monotonic()
        assert (await get(offset=ids[1] + 1, timeout=1))["result"] == []
        assert 0.9 <= time.monotonic() - started < 2

        # ...an early one when an update arrives during the wait.
        async def later() -> JSON:
            await asyncio.sleep(0.3)
            return api.private_text(alice, "trois")

        started = time.monotonic()
        answer, third = await asyncio.gather(get(offset=ids[1] + 1, timeout=5), later())
        assert [u["update_id"] for u in answer["result"]] == [third["update_id"]]
        assert time.monotonic() - started < 2.5  # not the 5 s timeout

        # A second getUpdates ends the first with 409.
        waiting = asyncio.ensure_future(get(offset=third["update_id"] + 1, timeout=5))
        await api.wait_until(lambda: api.requests("getUpdates")[-1].status is None)
        assert (await get(offset=third["update_id"] + 1))["result"] == []
        assert (await waiting)["error_code"] == 409

        # allowed_updates is remembered and filters what comes afterwards.
        await get(offset=third["update_id"] + 1, allowed_updates=["message"])
        message = api.user(1002, "Bob", started=True)
        api.private_text(message, "gardé")
        api.block(message)  # my_chat_member: not allowed now
        result = (await get(offset=third["update_id"] + 1))["result"]
        assert [next(k for k in u if k != "update_id") for u in result] == ["message"]
        assert [next(k for k in u if k != "update_id") for u in api.filtered_updates] == [
            "my_chat_member"
        ]
