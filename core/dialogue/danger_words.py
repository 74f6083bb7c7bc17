"""The keyword net of emergencies, and the calm ways of telling the same words.

The emergency list is a safety net kept even with the NLU: recall matters above precision. A
danger word told calmly (afterwards, as an idiom, supposed, a drill, with a laugh) sounds no
alarm; calm words count only in the sentence of the danger and the sentences beside it, so the
news at the start of a long message does not silence a danger told at its end.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.dialogue.calm_phrases import HARMLESS_FIRE, IDIOMS, SUPPOSED_EMERGENCY
from core.dialogue.words import fold

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
    # ("depuis hier", "since yesterday": a state that lasts, not a thing of the past.)
    r"\b((?<!depuis )hier|avant-hier|semaine derniere|semaine passee|mois dernier|"
    r"l'? ?an (dernier|passe)|l'? ?annee derniere|la nuit derniere|le week-?end dernier|"
    r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) dernier|"
    r"quand j'?etais (petite?|jeune|enfant|gamine?)|when i was (a child|a kid|young|little|\d+)|"
    r"(tout va bien|all fine|all good|fine now)(?![ ,;:]{0,3}(sauf|mais|except|but)\b)|"
    r"pour plus tard|au cas ou|just in case|for future reference|for later|"
    r"il y a (\d+|un|une|deux|trois|quelques|plusieurs) (jours?|semaines?|mois|ans?)|"
    r"en (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)|"
    r"(cet|l'?) ?(hiver|ete|automne) dernier|"
    r"(depuis|apres) (ma|mon|sa|son) (chute|operation|avc|infarctus|crise cardiaque)|"
    r"rien de (grave|casse)|pas grave|"
    r"(bien )?remis|ca va mieux|je vais mieux|nothing new|rien de nouveau|c'?est regle|"
    r"all sorted|sorted now|"
    r"merci d'? ?(etre|avoir ete) (venue?s?|passee?s?)|thank(s| you)[a-z ]{0,15} for coming "
    r"(when|on|last|the other)|"
    r"(?<!since )yesterday|last (night|night's|week|month|year|winter|summer|autumn|monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday|weekend)|"
    r"(\d+|a|one|two|three|few|several|many) (days?|weeks?|months?|years?) ago|"
    r"(years|months|ages) ago|il y a (des annees|longtemps|bien longtemps)|autrefois|jadis|"
    r"en (19|20)\d\d|in (19|20)\d\d|racontait|used to (tell|say)|told me (all )?about|"
    r"m'?a raconte|juste pour savoir|je demande juste|just (wondering|asking|curious)|"
    r"par curiosite|out of curiosity|si un jour|if (one day|ever)|un jour ou l'?autre|"
    r"fine (now|today)|va bien (maintenant|aujourd'?hui)|"
    r"(cpr|secourisme|first aid|premiers secours|psc1) (course|class|training|certificate)|"
    r"(course|formation|cours|stage|diplome) (de |d'?|in )?(cpr|secourisme|first aid|premiers "
    r"secours|massage cardiaque)|"
    r"(since|after) (my|his|her|the) (fall|op|operation|stroke|heart attack|fire|flood|"
    r"accident)|"
    r"in (january|february|march|april|may|june|july|august|september|october|november|"
    r"december)|nothing (serious|broken)|not serious|recovered|i'?m better|feeling better|"
    r"rdv|rendez-vous|rendez vous|appointment|check-?up|consultation|"
    r"exercice|drill|reportage|programme|film|prise de sang|blood tests?|analyses?|"
    r"formation|secourisme|first aid (course|class|training)|training|"
    r"depuis (des|plusieurs|quelques) (jours|semaines|mois|annees)|depuis longtemps|chronique|"
    r"chronic|for (weeks|months|years)|"
    # Recovering afterwards: rehabilitation, home from hospital, a plaster cast, no more driving.
    r"physio|kine|kinesitherapeute|reeducation|rehab|convalescen[a-z]*|recovering|"
    r"se remet(tre)? (de|d')|(rentre|rentree|revenu|revenue) (a la maison|de l'?hopital)|"
    r"sorti(e)? de l'?hopital|(come|came|coming|back) home from hospital|out of hospital|"
    r"platre|plaster|in a cast|entorse|(me suis|s'?est) foulee?|attelle|sprain|sprained|"
    r"strapped up|ne conduit plus|"
    r"(since|after) [a-z]+'?s (fall|op|operation|stroke|heart attack)|"
    r"(depuis|apres) (l'?|la |le )(chute|operation|avc|infarctus|crise cardiaque|incendie|"
    r"inondation|accident))\b"
)
_NOT_AN_EMERGENCY = re.compile(
    r"(pas|plus) (une |d'?)?urgen|rien d'?urgent|not (an? )?(emergency|urgent)|no emergency|"
    r"nothing urgent|isn'?t (an )?(emergency|urgent)"
)


# "depuis que je suis tombée...", "since I fell...": a state told, for the keyword net only (the
# danger patterns of `nlu.emergency` still read "on the floor since I fell" as a danger).
_SINCE = re.compile(r"\b(depuis que|since i)\b")


def looks_like_emergency(text: str) -> bool:
    """The keyword net: words of a danger, in a message that does not tell it calmly (an old
    fall told as news, a fire drill, "ce n'est pas une urgence")."""
    folded = fold(text)
    # Blanking only takes words away: without a keyword in the raw text there is none to weigh
    # (and the calm phrases, read at every letter, cost most on a long message).
    if not keyword_anywhere(folded):
        return False
    return told_now(calm_mentions_blanked(folded), _keyword_in)


def keyword_anywhere(folded: str) -> bool:
    """A word of the keyword net anywhere in `folded`, however it is told."""
    return bool(_EMERGENCY.search(folded))


def _keyword_in(sentence: str) -> bool:
    return bool(_EMERGENCY.search(sentence)) and not _SINCE.search(sentence)


# A sentence with the marks that end it ("gaz !!" keeps its cry); not cut at the point of "2.1".
_SENTENCE = re.compile(r"(?:[^!?;\n….]|\.(?=\d))+(?:[!?;\n….]+|$)|[!?;\n….]+")
# Words that put a danger now, whatever the sentences beside it tell of the past.
_NOW = re.compile(
    r"\b(just|now|right now|at the moment|currently|maintenant|en ce moment|vient de|viens de|"
    r"venez|tout de suite|a l'? ?instant|depuis ce matin|depuis midi|since this morning)\b"
)


def sentences(folded: str) -> list[str]:
    """`folded` cut at its full stops, question and exclamation marks, semicolons and lines."""
    return [found for found in _SENTENCE.findall(folded) if found.strip()]


def told_now(folded: str, tells_danger: Callable[[str], bool]) -> bool:
    """Whether a sentence of `folded` tells a danger (`tells_danger`) now: not told calmly in
    that sentence, nor in the sentences just before and after it unless the sentence says the
    danger is now ("Thanks for last week. Mum just rang, her face is drooping" is a danger).
    Saying outright that it is no emergency counts for the whole message."""
    if not_an_emergency(folded):
        return False
    parts = _fragments_joined(sentences(folded))
    for index, sentence in enumerate(parts):
        if not tells_danger(sentence) or told_calmly(sentence):
            continue
        if _NOW.search(sentence) or _STILL_IN_DANGER.search(sentence):
            return True
        beside = parts[max(0, index - 1) : index] + parts[index + 1 : index + 2]
        if not any(told_calmly(other) for other in beside):
            return True
    return False


# Fragments written after a stroke or in a panic ("arm... not move. words hard."): pieces this
# short are one thought, read together with the next piece.
FRAGMENT = 16


def _fragments_joined(parts: list[str]) -> list[str]:
    """`parts` with each run of very short pieces joined into one sentence."""
    joined: list[str] = []
    for part in parts:
        if joined and len(joined[-1].strip()) <= FRAGMENT and len(part.strip()) <= FRAGMENT:
            joined[-1] += part
        else:
            joined.append(part)
    return joined


def without_harmless_fire(folded: str) -> str:
    """`folded` with the fire words that name no fire blanked out."""
    return HARMLESS_FIRE.sub(" ", folded)


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


def calm_mentions_blanked(folded: str) -> str:
    """`folded` without the danger words that tell no danger now: harmless fire, an illness
    told before asking for a chore, everyday idioms ("fell asleep", "tombée en panne"), an
    emergency or a fall only supposed or feared."""
    blanked = IDIOMS.sub(" ", without_told_illness(without_harmless_fire(folded)))
    return _blank_sentences_with(_STORY_OR_SOMEDAY, SUPPOSED_EMERGENCY.sub(" ", blanked))


# Sentences left out whole: a story (a series, a film, the news on television: "dans ma série
# la grand-mère s'est effondrée") or a day that may come ("Le bot peut-il appeler le 15 pour
# moi si un jour j'en ai besoin ?") tells of nobody's danger now.
_STORY_OR_SOMEDAY = re.compile(
    r"\b(ma serie|mon feuilleton|dans (le|un|mon) film|a la tele|au cinema|on (emmerdale|"
    r"eastenders|corrie|coronation street|neighbours|casualty|holby|the archers|home and away)|"
    r"(dans|a) (plus belle la vie|demain nous appartient|ici tout commence|un si grand soleil)|"
    r"(un|mon|ce|le) (roman|polar|livre|thriller)|(a|my|this|the) (novel|mystery|thriller|"
    r"detective story|book) (where|in which|about)|(crime|detective|murder) (novel|book|"
    r"series|drama)|roman policier|whodunn?it|agatha christie|maigret|columbo|"
    # A hyperbole: "je vais tomber dans les pommes si je revois ce prix".
    r"(si|if) (je |j'? ?|i |you |vous |on )(re)?(vois|see|sees|entends|hear|lis|read)|"
    r"in (my|the) (series|show|soap|film|movie)|on (tv|telly|the telly|the news)|"
    r"au journal televise|episode|dans (la|une|cette) serie|aux (infos|informations|nouvelles)|"
    r"(dans|sur) le journal|a la radio|in the (paper|papers|newspaper)|on the radio|"
    r"the news said)\b|"
    r"\b(si|if)\b[^?.!;\n]{0,80}\b(un jour|one day|some day)\b|\b(si jamais|if ever)\b"
)


def _blank_sentences_with(marker: re.Pattern[str], folded: str) -> str:
    """`folded` with every sentence that holds `marker` blanked (cut in Python, not by a
    pattern that scans to the sentence's start from every letter: that is quadratic, and a
    4 000-character message without a full stop held the event loop half a second)."""
    if not marker.search(folded):
        return folded
    return "".join(
        " " * len(part) if marker.search(part) else part for part in _SENTENCE.findall(folded)
    )


# A danger that lasts to this moment, whatever was told before it: "I fell last night and I'm
# still on the floor", "tombée hier soir, toujours par terre".
_STILL_IN_DANGER = re.compile(
    r"\b(still|toujours|encore)\b[a-z' ,]{0,20}\b(down here|on the floor|on the ground|"
    r"par terre|au sol|a terre|coincee?|stuck|bloquee?|allongee?|lying|"
    r"can'?t get up(?! the| to| stairs| steps| on| onto| there| in)|"
    r"(peux|arrive) pas (a )?me relever)|"
    r"\b(toute la nuit|all night) (sans|without)\b|"
    # A reading taken now: a high fever ("39,8 et elle grelotte, hier elle était normale").
    r"\b(39[.,][5-9]|4[0-2]([.,]\d)?) ?(degres|degrees|°|de fievre|fever)|"
    r"\b(a|has|at|fait) (39[.,][5-9]|4[0-2]([.,]\d)?)\b"
)


# Laughing as one writes ("au secours, cette appli 😅", "help lol"): nobody in danger does.
_LAUGHING = re.compile(
    r"[😅😂🤣😆😁😄]|\b(lol|mdr|ptdr|haha+|hihi+|hehe+)\b|\b(for|from|with) laugh(ing|ter)\b|"
    r"\b(pleure|pleurer|pleurais) de rire\b"
)


def laughing(folded: str) -> bool:
    """A laugh written in the message: a joke or a mock cry, not a danger."""
    return bool(_LAUGHING.search(folded))


def told_calmly(folded: str) -> bool:
    """Told afterwards, said to be nothing serious, a drill, about an appointment, or with a
    laugh (unless the danger is said to last still)."""
    if _STILL_IN_DANGER.search(folded):
        return not_an_emergency(folded)
    return bool(_CALM.search(folded)) or not_an_emergency(folded) or laughing(folded)


def not_an_emergency(folded: str) -> bool:
    """'ce n'est pas une urgence', 'it's not an emergency': said outright."""
    return bool(_NOT_AN_EMERGENCY.search(folded))
