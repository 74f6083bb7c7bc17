"""A local Telegram Bot API server for tests: the real JSON of the official Bot API, on loopback.

There is no Telegram server on the test machines: the real `telegram.ext.Application` (PTB 22.8)
talks to this aiohttp server instead, through `ApplicationBuilder().base_url(api.base_url)`.
The test plays the people (who write, press buttons, vote, block the bot) and reads what the
bot sent. Everything runs in the test's event loop, on 127.0.0.1.

    api = await FakeBotApi.start()
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    alice = api.user(1001, "Alice")
    api.private_text(alice, "bonjour")
    [reply] = await api.wait_sent(alice, 1)
    await api.stop()

Behaviour follows core.telegram.org/bots/api (Bot API 10.0, as PTB 22.8 expects it), for the
methods the bot calls (directly, or through PTB's Application and Updater) and nothing more:

    getMe, getUpdates, setWebhook, deleteWebhook, setMyCommands, sendMessage, editMessageText,
    editMessageReplyMarkup, answerCallbackQuery, sendPoll, stopPoll, getChatMember, sendVoice,
    sendAudio

Any other method answers 404 "Not Found: method not found", as Telegram does for unknown ones.

One module per subject:
    protocol.py  the wire format: error answers, parameters, the method registry
    objects.py   people, chats, messages, polls, recorded calls (and their JSON)
    state.py     the recorded world shared by all, lookups, reading and waiting
    updates.py   the update queue and getUpdates (long polling)
    webhook.py   setWebhook, deleteWebhook, posting updates to the bot's webhook
    people.py    what the test's people do (write, press, block, add the bot to groups)
    chats.py     which chat a call means, who may be written to, getChatMember
    profile.py   getMe, setMyCommands
    messages.py  sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery
    media.py     sendVoice, sendAudio (by the file id of a file a person sent)
    polls.py     sendPoll, stopPoll, and votes
    faults.py    injected failures (429, 502, dropped connections, delays, garbage)
    server.py    FakeBotApi: the aiohttp application, token check, routing, recording
"""

from .objects import CallbackAnswer, FakeChat, FakeMessage, FakePoll, FakeUser, RecordedRequest
from .protocol import ApiError
from .server import FakeBotApi

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "FakeBotApi",
    "FakeChat",
    "FakeMessage",
    "FakePoll",
    "FakeUser",
    "RecordedRequest",
]
