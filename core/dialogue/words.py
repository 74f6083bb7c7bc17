"""Words that work anywhere in a conversation, in French and English, with or without accents.

These are commands a person may type instead of pressing a button (the NLU handles the rest).
The words of danger and the calm ways of telling them are in `danger_words`.
"""

from __future__ import annotations

import functools
import re
import unicodedata


# One message is folded by each rule of the turn (the emergency nets, the cries, the commands,
# the typed choices): the cache makes that once, the ASCII path most of the time.
@functools.lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: "  Annulér " -> "annuler"."""
    if text.isascii():  # nothing to decompose: lower-casing is the whole fold
        return re.sub(r"\s+", " ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip()


COMMANDS: dict[str, str] = {
    **dict.fromkeys(["menu", "start", "/start", "accueil", "home", "retour", "back"], "menu"),
    **dict.fromkeys(["aide", "help", "?", "/aide", "/help", "comment ca marche"], "help"),
    **dict.fromkeys(
        ["annuler", "cancel", "stop", "/annuler", "/cancel", "laisse tomber"], "abort"
    ),
    **dict.fromkeys(
        [
            "coordinateur",
            "coordinatrice",
            "coordinator",
            "humain",
            "human",
            "/coordinateur",
            "/coordinator",
            "parler a quelqu'un",
            "talk to someone",
            "un humain",
            "a human",
        ],
        "coordinator",
    ),
    **dict.fromkeys(["langue", "language", "/langue", "/language"], "language"),
    **dict.fromkeys(
        ["demande", "/demande", "/request", "j'ai besoin d'aide", "i need help"], "need_help"
    ),
    **dict.fromkeys(
        ["mes demandes", "/mes_demandes", "/my_requests", "my requests"], "my_requests"
    ),
    **dict.fromkeys(
        ["dispo", "/dispo", "/available", "demandes ouvertes", "open requests"], "requests"
    ),
    **dict.fromkeys(["mes missions", "my tasks", "/mes_missions", "/my_tasks"], "my_tasks"),
    **dict.fromkeys(
        ["sondages", "sondage", "polls", "poll", "/sondages", "/polls", "votes"], "polls"
    ),
    **dict.fromkeys(["lier", "link", "/lier", "/link"], "link"),
    **dict.fromkeys(["mon age", "my age", "/age", "/mon_age", "/my_age"], "my_age"),
    # The coordinators' desk, typed in the console as on the platforms (slash forms only:
    # "fin" or "poster" alone may be words of a message).
    **dict.fromkeys(["/fin", "/end"], "thread_end"),
    **dict.fromkeys(["/suspendre", "/suspend"], "suspend"),
    **dict.fromkeys(["/poster", "/post"], "post_for"),
    **dict.fromkeys(
        [
            f"{words}{mark}"
            for words in ("qui vient", "qui va venir", "who is coming", "who's coming")
            for mark in ("", " ?", "?")
        ]
        + ["/qui_vient", "/who_is_coming"],
        "who_is_coming",
    ),
    # Coordinators (the console has no slash commands: the words alone).
    **dict.fromkeys(["bureau", "/bureau", "desk", "/desk"], "desk_now"),
    **dict.fromkeys(["console", "/console"], "console_link"),
}

# Answers to a yes-or-no question (a request to send, accounts to link), typed.
YES_WORDS = frozenset(
    {"oui", "yes", "ok", "d'accord", "daccord", "envoyer", "send", "oui merci", "yes please"}
)
NO_WORDS = frozenset({"non", "no", "non merci", "no thanks", "pas moi", "not me"})


# A command said politely, or with its apostrophe dropped: "je voudrais parler a quelqu un",
# "mes demandes svp", "I'd like to talk to someone please".
_POLITE = re.compile(
    r"^(?:(?:bonjour|bonsoir|hello|hi) )?(?:(?:je voudrais|je voudrai|j aimerais|je veux|"
    r"je souhaite|je souhaiterais|puis-je|est-ce que je peux|est-ce que je pourrais|"
    r"i would like to|i d like to|i want to|can i|could i|may i) )?(.*?)"
    r"(?: (?:s il vous plait|s il te plait|svp|stp|please|merci))?$"
)
_PLAIN_COMMANDS = {key.replace("'", " "): command for key, command in COMMANDS.items()}
POLITE_LENGTH = 60  # longer texts are messages, for the NLU


def command_of(text: str) -> str | None:
    """The global command a short text names, if any."""
    if is_bare_cry(text):
        return None
    folded = fold(text).rstrip(" !.")
    if folded.startswith("/"):
        folded = folded.split("@", 1)[0].split(" ", 1)[0]
    if folded in COMMANDS or len(folded) > POLITE_LENGTH:
        return COMMANDS.get(folded)
    plain = re.sub(r"[\s,'’]+", " ", folded).strip(" ?!.")
    polite = _POLITE.match(plain)
    command = _PLAIN_COMMANDS.get(polite.group(1) if polite else plain)
    # "help please", "aide svp" may be a cry for help: only the bare word is the help command,
    # the rest is for the NLU and its emergency nets.
    return None if command == "help" else command


# A bare cry for help: "HELP", "Help!", "aide !", "à l'aide", "help me!". Shouted, exclaimed
# or said "à l'aide", it may be a danger: the NLU asks "Are you in danger?" (one tap either
# way) rather than explaining the bot. Typed plainly ("help", "aide"), it is the help command.
_CRY = frozenset(
    {"help", "aide", "help me", "aidez moi", "aide moi", "a l aide", "helpp", "heeelp", "aidez"}
)
# Words that say "urgent" and nothing else ("urgent", "c'est urgent", "need help now",
# "mayday"): however they are typed, the one useful answer is to ask about a danger, since
# they name no chore to plan and no danger to raise an alarm for.
_URGENT_ALONE = frozenset(
    {
        "urgent",
        "tres urgent",
        "c est urgent",
        "c urgent",
        "it s urgent",
        "its urgent",
        "very urgent",
        "urgently",
        "mayday",
        "hurry",
        "please hurry",
        "hurry up",
        "need help now",
        "i need help now",
        "help now",
        "help quick",
        "besoin d aide vite",
        "besoin d aide maintenant",
        "urgent venez",
        "urgent viens",
        "urgent come",
        "urgent please come",
    }
)
# A word of danger alone ("malaise", "poison", "pas bien du tout"): too little to raise an alarm,
# too much to answer "I did not understand".
_DANGER_WORD_ALONE = frozenset(
    {
        "malaise",
        "un malaise",
        "poison",
        "brulure",
        "brulures",
        "intoxication",
        "hemorragie",
        "empoisonnement",
        "pas bien du tout",
        "very unwell",
        "feel very ill",
        "i feel very ill",
        "poisoned",
        "burn",
        "burns",
    }
)
_SAID_AS_A_CRY = frozenset({"a l aide"}) | _URGENT_ALONE | _DANGER_WORD_ALONE
_POLITE_WORDS = frozenset({"svp", "stp", "please", "pls", "plz", "vite", "quick", "asap"})
_POLITE_TAILS = (" s il vous plait", " s il te plait", " sil vous plait", " sil te plait")


def _cry_words(text: str) -> str:
    """The folded words of `text`, a word said again in a row once ("urgent urgent urgent"),
    without a trailing please."""
    words = re.sub(r"[\s,'’!?.:;…-]+", " ", fold(text)).split()
    said_once = [word for i, word in enumerate(words) if i == 0 or word != words[i - 1]]
    said = " ".join(said_once)
    for tail in _POLITE_TAILS:
        if said.endswith(tail) and len(said) > len(tail):
            said = said[: -len(tail)].rstrip()
    words = said.split()
    while len(words) > 1 and words[-1] in _POLITE_WORDS:
        words.pop()
    return " ".join(words)


# A panic typed without spaces ("vitevenezelleesttombee", "helphesonthefloor"): a run of letters
# longer than any word, holding the stem of a danger or a call. (Not a link: those have dots.)
_UNSPACED_RUN = re.compile(r"(?<![\w./@-])[a-z']{20,}(?![\w./@-])")
_PANIC_STEMS = re.compile(
    r"secour|aide|help|venez|vite|tombe|floor|terre|sang|blood|bleed|saign|respir|breath|"
    r"fire|feu|fume|smoke|gaz|gas|ambulance|pompier|samu|poitrine|chest|malaise|collaps|"
    r"effondr|inconscient|unconscious|etouff|chok|stroke|avc|urgent|please|pitie"
)


def typed_in_one_breath(text: str) -> bool:
    """A run of letters without spaces holding a danger's stem: a cry typed in a panic."""
    folded = fold(text)
    return any(_PANIC_STEMS.search(run) for run in _UNSPACED_RUN.findall(folded))


def is_bare_cry(text: str) -> bool:
    """A help word alone, shouted or exclaimed (or "à l'aide"), "urgent" or a word of danger
    alone, or a panic typed without spaces."""
    if typed_in_one_breath(text):
        return True
    stripped = text.strip()
    words = _cry_words(stripped)
    if words not in _CRY and words not in _SAID_AS_A_CRY:
        return False
    letters = [ch for ch in stripped if ch.isalpha()]
    return "!" in stripped or words in _SAID_AS_A_CRY or all(ch.isupper() for ch in letters)


def is_yes(text: str | None) -> bool:
    """A typed yes (not a command)."""
    return bool(text) and command_of(text or "") is None and fold(text or "") in YES_WORDS


def is_no(text: str | None) -> bool:
    """A typed no."""
    return bool(text) and fold(text or "") in NO_WORDS
