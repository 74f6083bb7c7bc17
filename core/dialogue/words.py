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
    # Not "help me, I need...": a request begins so as often as a danger.
    r"\bhelp me,? (please )?(quick|quickly|now|fast)\b",
    r"\bi (have )?fell\b",
    r"\bi('ve| have)? fallen\b",
    r"\bcan'?t get up\b(?! the| to| stairs| steps| ladders?| on | onto| there| in the loft)",
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
# Told afterwards ("je suis tombée l'an dernier", "last year", "il y a deux ans"), said to
# be harmless, a drill, or booked: a calm message, for both nets (this one, `nlu.emergency`).
_CALM = re.compile(
    r"\b(hier|avant-hier|semaine derniere|semaine passee|mois dernier|l'? ?an (dernier|passe)|"
    r"l'? ?annee derniere|"
    r"il y a (\d+|un|une|deux|trois|quelques|plusieurs) (jours?|semaines?|mois|ans?)|"
    r"en (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)|"
    r"(cet|l'?) ?(hiver|ete|automne) dernier|"
    r"(depuis|apres) (ma|mon|sa|son) (chute|operation|avc|infarctus|crise cardiaque)|"
    r"rien de (grave|casse)|pas grave|"
    r"(bien )?remis|ca va mieux|je vais mieux|"
    r"yesterday|last (night|night's|week|month|year|winter|summer|autumn)|"
    r"(\d+|a|one|two|three|few|several) (days?|weeks?|months?|years?) ago|"
    r"(since|after) (my|his|her) (fall|op|operation|stroke|heart attack)|"
    r"in (january|february|march|april|may|june|july|august|september|october|november|"
    r"december)|nothing (serious|broken)|not serious|recovered|i'?m better|feeling better|"
    r"rdv|rendez-vous|rendez vous|appointment|check-?up|consultation|"
    r"exercice|drill|reportage|programme|film|prise de sang|blood tests?|analyses?|"
    r"depuis (des|plusieurs|quelques) (jours|semaines|mois|annees)|depuis longtemps|chronique|"
    r"chronic|for (weeks|months|years)|"
    # Recovering afterwards: rehabilitation, home from hospital, a plaster cast, no more driving.
    r"physio|kine|kinesitherapeute|reeducation|rehab|convalescen[a-z]*|recovering|"
    r"se remet(tre)? (de|d')|(rentre|rentree|revenu|revenue) (a la maison|de l'?hopital)|"
    r"sorti(e)? de l'?hopital|(come|came|coming|back) home from hospital|out of hospital|"
    r"platre|plaster|in a cast|entorse|(me suis|s'?est) foulee?|attelle|sprain|sprained|"
    r"strapped up|ne conduit plus|"
    r"(since|after) [a-z]+'?s (fall|op|operation|stroke|heart attack)|"
    r"(depuis|apres) (l'?|la |le )(chute|operation|avc|infarctus|crise cardiaque))\b"
)
_NOT_AN_EMERGENCY = re.compile(
    r"(pas|plus) (une |d'?)?urgen|rien d'?urgent|not (an? )?(emergency|urgent)|no emergency|"
    r"nothing urgent|isn'?t (an )?(emergency|urgent)"
)


# "depuis que je suis tombée...", "since I fell...": a state told, for the keyword net only (the
# danger patterns of `nlu.emergency` still read "on the floor since I fell" as a danger).
_SINCE = re.compile(r"\b(depuis que|since i)\b")
# Fire words that name no fire: safety equipment and drills, a fire lit on purpose.
_HARMLESS_FIRE = re.compile(
    r"\bfire ?(drills?|alarms?(?: [a-z']+){0,5} (battery|batteries|tests?|testing|beeps?|"
    r"beeping|chirps?|chirping)|"
    r"extinguishers?|exits?|doors?|escape|wood|place|guard|safety|insurance|inspections?|"
    r"station|practice|training|risk assessment)\b|"
    r"\b(light|lit|lighting|make|making|made|start|build|building|laying|lay) (a |the |my )?"
    r"(wood |log |open |coal )?fire\b|"
    r"\b(logs?|wood|coal|kindling) (for|on) (my|the|our) (open |log |wood |coal )?fire\b|"
    r"\b(alarmes?|detecteurs?|assurances?|portes?|issues?|exercices?|extincteurs?|consignes?|"
    r"risques?) (d'|de )?(l')?(anti-?|coupe-?)?(incendie|feu)\b|"
    r"\b(allumer|allume|faire|fait) (un |le |du )?feu\b|"
    r"\b(battery|batteries|piles?) (in|of|for|de|du|d'un) (my |the |mon |le )?(fire|smoke) ?alarm"
)


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


def is_yes(text: str | None) -> bool:
    """A typed yes (not a command)."""
    return bool(text) and command_of(text or "") is None and fold(text or "") in YES_WORDS


def is_no(text: str | None) -> bool:
    """A typed no."""
    return bool(text) and fold(text or "") in NO_WORDS


def looks_like_emergency(text: str) -> bool:
    """The keyword net: words of a danger, in a message that does not tell it calmly (an old
    fall told as news, a fire drill, "ce n'est pas une urgence")."""
    folded = calm_mentions_blanked(fold(text))
    return (
        bool(_EMERGENCY.search(folded)) and not told_calmly(folded) and not _SINCE.search(folded)
    )


def without_harmless_fire(folded: str) -> str:
    """`folded` with the fire words that name no fire blanked out."""
    return _HARMLESS_FIRE.sub(" ", folded)


# "my husband had a stroke, could someone take him to the shops": an illness named in the past,
# then an ask for a chore, with no word of hurry or of the emergency services.
_PAST_ILLNESS_THEN_ASK = re.compile(
    r"\b(had|has had|a fait|a eu|ai fait|ai eu) (a |an |un |une )?(small |mini |minor |petit |"
    r"leger |gros )?(stroke|heart attack|avc|infarctus|crise cardiaque)\b.{0,120}"
    r"\b((could|can|would) (someone|somebody|anyone|anybody|a volunteer)|"
    r"(quelqu'?un|qqn|un benevole) (pourrait|pour|peut|qui))"
)
_HURRY = re.compile(
    r"\b(vite|quick|quickly|right now|tout de suite|right away|at once|ambulance|samu|"
    r"secours|pompiers|15|18|112|999|911|urgence|emergency)\b"
)


def without_told_illness(folded: str) -> str:
    """`folded` with an illness named in the past blanked out when a chore is asked after it
    and nothing hurries: the other danger words of the message (a face drooping) still count."""
    if _HURRY.search(folded):
        return folded

    def blank(match: re.Match[str]) -> str:
        return " " * (match.end(4) - match.start()) + folded[match.end(4) : match.end()]

    return _PAST_ILLNESS_THEN_ASK.sub(blank, folded)


# "what do I do in an emergency?", "en cas d'urgence": an emergency supposed, not told.
_SUPPOSED_EMERGENCY = re.compile(
    r"\b(in|for) (an? |case of |the event of (an? )?)emergency\b|\bfor emergencies\b|"
    r"\ben cas d'? ?urgence\b|\bpour les urgences\b|\bemergency (number|contact|button)s?\b|"
    r"\bnumeros? d'? ?urgence\b|"
    r"\bif (there'?s|there is|it'?s|it is|i have|we have)( ever)? an? emergency\b|"
    r"\bs'?il y a (une )?urgence\b|\bsi (un jour )?(c'?est|il y a|j'?ai) une urgence\b|"
    r"\b(or|ou) (j'? ?appelle|appeler|dial|call|ring) (le )?(15|18|112|999|911)\b|"
    r"\b(should|shall|do) (i|we) (call|ring|dial)\b|\b(dois-je|je dois|faut-il|faut il) appeler\b|"
    # A fall feared, not happened: "j'ai peur de tomber dans la douche", "scared of falling".
    r"\b(peur|risque|crainte) de (tomber|chuter)\b|"
    r"\b(afraid|scared|frightened|worried|terrified) (of falling|i'?ll fall|she'?ll fall|"
    r"he'?ll fall|of a fall)\b|\bin case (i|she|he|mum|dad) (falls?|has a fall)\b|"
    r"\b(i|he|she) gets? (chest pains?|breathless|out of breath|short of breath)\b|"
    r"\b(chest pains?|(douleurs?|mal) (a|dans) la poitrine) (when|quand|des que|lorsque)\b|"
    r"\bfire (brigade|engines?) (came|come|were|was|went)\b"
)
# Everyday phrases with a danger word in them: a fall asleep or ill, a car broken down, a gas
# fire (a heater), a trade called out urgently.
_IDIOMS = re.compile(
    r"\b(fell|fallen|falling) (asleep|behind|ill|for|in love|out with|through)\b|"
    r"\btombe(e|es|r)? sur [a-z']{1,6} ?(annonce|numero|message|article|site|pub|publicite|"
    r"arnaque|emission|reportage|offre|lettre|courrier)|"
    r"\btombe(e|es|r)? (en panne|malade|"
    r"d'? ?accord|a pic|a l'? ?eau|bien|amoureu[a-z]*|enceinte)\b|"
    r"\b(gas|electric|coal) fires?\b|\bstroke of luck\b|"
    r"\b(emergency|urgent) (dentist|dental|plumber|electrician|locksmith|vet|repairs?|"
    r"appointment|glazier)\b|"
    r"\b(dentiste|plombier|serrurier|electricien|veterinaire|veto|vitrier|depannage)s? "
    r"(d'? ?urgence|en urgence)\b"
)


def calm_mentions_blanked(folded: str) -> str:
    """`folded` without the danger words that tell no danger now: harmless fire, an illness
    told before asking for a chore, everyday idioms ("fell asleep", "tombée en panne"), an
    emergency or a fall only supposed or feared."""
    blanked = _IDIOMS.sub(" ", without_told_illness(without_harmless_fire(folded)))
    return _SUPPOSED_EMERGENCY.sub(" ", blanked)


def told_calmly(folded: str) -> bool:
    """Told afterwards, said to be nothing serious, a drill, or about an appointment."""
    return bool(_CALM.search(folded)) or not_an_emergency(folded)


def not_an_emergency(folded: str) -> bool:
    """'ce n'est pas une urgence', 'it's not an emergency': said outright."""
    return bool(_NOT_AN_EMERGENCY.search(folded))
