"""The chat platforms' commands (`/aide` on Telegram, `!aide` on Matrix): one table of actions.

Each command is an action of the engine, with a French name first and an English alias: an
adapter hands the engine `Inbound(action=...)`, never a word to parse again. Telegram's
command menus (French by default, English for English apps) come from the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.dialogue.arguments import is_id

# The longest link code taken from a command's argument (codes are six characters).
MAX_CODE = 16


@dataclass(frozen=True)
class Command:
    """A command: the engine's action, its names (French, English) and its menu entry."""

    action: str
    french: str
    english: str
    # What Telegram's menu says of it (French, English); None: not in the menu.
    menu: tuple[str, str] | None = None

    @property
    def names(self) -> tuple[str, str]:
        return (self.french, self.english)


# Commands of a private chat with the bot, in the order of the menu.
PRIVATE = (
    Command("help", "aide", "help", ("Comment ça marche", "How it works")),
    Command("need_help", "demande", "request", ("Demander de l'aide", "Ask for help")),
    Command("my_requests", "mes_demandes", "my_requests", ("Mes demandes", "My requests")),
    Command(
        "requests",
        "dispo",
        "available",
        ("Demandes ouvertes (bénévoles)", "Open requests (volunteers)"),
    ),
    Command("my_tasks", "mes_missions", "my_tasks", ("Mes missions", "My tasks")),
    Command(
        "who_is_coming", "qui_vient", "who_is_coming", ("Qui vient chez moi ?", "Who is coming?")
    ),
    Command("polls", "sondages", "polls", ("Sondages en cours", "Open polls")),
    Command(
        "abort", "annuler", "cancel", ("Arrêter ce qui est en cours", "Stop what is going on")
    ),
    Command(
        "coordinator",
        "coordinateur",
        "coordinator",
        ("Parler à un coordinateur", "Talk to a coordinator"),
    ),
    Command("language", "langue", "language", ("Changer de langue", "Change language")),
    Command("my_age", "mon_age", "my_age", ("Mon âge (facultatif)", "My age (optional)")),
    Command("link", "lier", "link", ("Relier mon compte Matrix", "Link my Matrix account")),
    Command("new_poll", "sondage", "poll"),
    # The coordinators' desk (refused kindly to anyone else: see `core/dialogue/flows/desk_*`).
    Command("suspend", "suspendre", "suspend"),
    Command("post_for", "poster", "post"),
    # Close the conversation in progress between a coordinator and a member.
    Command("thread_end", "fin", "end"),
    # Coordinators: what needs them now, and a one-time link to the web console.
    Command("desk_now", "bureau", "desk"),
    Command("console_link", "console", "console"),
    Command("menu", "menu", "start"),
)
# Commands of public rooms: a coordinator links the room; a volunteer takes request N.
LINK_ROOM = Command("link_group", "lier_groupe", "link_group")
TAKE = Command("accept", "prendre", "take")

# Every private command's names -> its action.
PRIVATE_ACTIONS: dict[str, str] = {name: c.action for c in PRIVATE for name in c.names}


def private_action(name: str, args: list[str]) -> str:
    """The action of a command typed in a private chat; an unknown command shows the menu.

    `link` with a code joins the account to the code's member (after a yes).
    """
    action = PRIVATE_ACTIONS.get(name.lower(), "menu")
    if action == "link" and args:
        return f"link:{args[0][:MAX_CODE]}"
    return action


def take_action(args: list[str]) -> str | None:
    """`prendre 12` (or `#12`): accept request 12; None without a request number."""
    request = args[0].lstrip("#") if args else ""
    return f"accept:{request}" if is_id(request) else None


def menu(language: str) -> list[tuple[str, str]]:
    """Telegram's command menu in `language` ("fr" or "en"): (command, description)."""
    english = language == "en"
    return [
        (c.english if english else c.french, c.menu[1] if english else c.menu[0])
        for c in PRIVATE
        if c.menu is not None
    ]


MENU_LANGUAGES = ("fr", "en")
