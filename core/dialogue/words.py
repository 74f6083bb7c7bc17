"""Words that work anywhere in a conversation, in French and English, with or without accents.

These are commands a person may type instead of pressing a button (the NLU handles the rest).
The emergency list is a safety net kept even with the NLU: recall matters above precision.
"""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: "  Annulér " -> "annuler"."""
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
    # Coordinators (the console has no slash commands: the words alone).
    **dict.fromkeys(["bureau", "/bureau", "desk", "/desk"], "desk_now"),
    **dict.fromkeys(["console", "/console"], "console_link"),
}

# Answers to a yes-or-no question (a request to send, accounts to link), typed.
YES_WORDS = frozenset(
    {"oui", "yes", "ok", "d'accord", "daccord", "envoyer", "send", "oui merci", "yes please"}
)
NO_WORDS = frozenset({"non", "no", "non merci", "no thanks", "pas moi", "not me"})


EMERGENCY_PATTERNS = [
    r"\bau secours\b",
    r"\bappele[zr]? (les )?(secours|pompiers|samu|le 15|le 18|le 112)\b",
    r"\bje (suis|viens de) tombe(e|r)?\b",
    r"\bsuis par terre\b",
    r"\bpeux? (pas|plus) me relever\b",
    r"\bdouleurs? (dans|a|a la|au) (la )?poitrine\b",
    r"\bmal (a|au) (la )?poitrine\b",
    r"\b(je )?(ne )?(peux|arrive) (pas|plus) (a )?respirer\b",
    r"\bj'?etouffe\b",
    r"\binconscient",
    r"\bne repond plus\b",
    r"\bincendie\b",
    r"\bau feu\b",
    r"\bca brule\b",
    r"\bodeur de gaz\b",
    r"\bsens le gaz\b",
    r"\bfuite de gaz\b",
    r"\bavc\b",
    r"\b(je fais|il fait|elle fait|fait un|en train de faire un) malaise\b",
    r"\burgence\b",
    r"\burgent(e)? (medical|vital)",
    r"\bhelp me,? (please )?(i|i'm|im|quick|now)\b",
    r"\bi (have )?fell\b",
    r"\bi('ve| have)? fallen\b",
    r"\bcan'?t get up\b",
    r"\bchest pains?\b",
    r"\bcan'?t breathe\b",
    r"\bcannot breathe\b",
    r"\bunconscious\b",
    r"\bfire\b",
    r"\bsmell (of )?gas\b",
    r"\bgas leak\b",
    r"\bstroke\b",
    r"\bemergency\b",
    r"\bcall (an )?ambulance\b",
    r"\bheart attack\b",
    r"\bcrise cardiaque\b",
]
_EMERGENCY = re.compile("|".join(EMERGENCY_PATTERNS))
# A fall or a faint told about afterwards ("la semaine dernière, rien de grave") is no emergency.
_PAST = re.compile(
    r"\b(semaine derniere|hier|mois dernier|l'an dernier|rien de grave|last week|yesterday|"
    r"last month|nothing serious|depuis que|since i)\b"
)


def command_of(text: str) -> str | None:
    """The global command a short text names, if any."""
    folded = fold(text).rstrip(" !.")
    if folded.startswith("/"):
        folded = folded.split("@", 1)[0].split(" ", 1)[0]
    return COMMANDS.get(folded)


def is_yes(text: str | None) -> bool:
    """A typed yes (not a command)."""
    return bool(text) and command_of(text or "") is None and fold(text or "") in YES_WORDS


def is_no(text: str | None) -> bool:
    """A typed no."""
    return bool(text) and fold(text or "") in NO_WORDS


def looks_like_emergency(text: str) -> bool:
    folded = fold(text)
    return bool(_EMERGENCY.search(folded)) and not _PAST.search(folded)
