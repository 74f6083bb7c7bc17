"""Entities of a message: `category` (learned lexicon), `place` (patterns), `when` (dateparser).

Every entity is a dict in Rasa's shape: entity, value, start, end, confidence_entity, extractor.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.dialogue.dates import parse_window
from nlu.text import fold_with_offsets, original_span

EXTRACTOR = "entraide.builtin"
# Words too common to say anything about a category on their own.
STOPWORDS = frozenset(
    [
        "pour",
        "avec",
        "dans",
        "chez",
        "mon",
        "mes",
        "une",
        "des",
        "les",
        "pas",
        "besoin",
        "aide",
        "aider",
        "faire",
        "quelqu'un",
        "quelqu",
        "voudrais",
        "pourrait",
        "pourriez",
        "serait",
        "would",
        "could",
        "someone",
        "need",
        "help",
        "with",
        "please",
        "some",
        "have",
        "your",
        "that",
        "this",
        "from",
        "demain",
        "tomorrow",
        "matin",
        "morning",
        "apres",
        "midi",
        "afternoon",
        "jeudi",
        "mardi",
        "lundi",
        "mercredi",
        "vendredi",
        "samedi",
        "dimanche",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "bonjour",
        "hello",
        "merci",
        "thanks",
        "prochain",
        "next",
        "semaine",
        "week",
        "heure",
        "heures",
        "vers",
        "around",
    ]
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]{2,}")
_ALNUM = re.compile(r"[a-z0-9]+")


@dataclass
class CategoryLexicon:
    """Phrases and words that name a category, learned from the annotated training data."""

    phrases: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    # Multi-word phrases by their first word: only those whose first word is in a message are
    # searched for, which keeps reading a message far below a millisecond.
    by_first_word: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def learn(cls, spans: Iterable[tuple[str, str]], synonyms: dict[str, str]) -> CategoryLexicon:
        """`spans` are (span text, category value) pairs; keep the unambiguous ones."""
        phrase_votes: dict[str, Counter[str]] = defaultdict(Counter)
        word_votes: dict[str, Counter[str]] = defaultdict(Counter)
        pairs = list(spans) + [(variant, value) for variant, value in synonyms.items()]
        for text, value in pairs:
            folded = fold_with_offsets(text)[0].strip()
            if not folded:
                continue
            phrase_votes[folded][value] += 1
            for token in _TOKEN.findall(folded):
                if token not in STOPWORDS:
                    word_votes[token][value] += 1
        lexicon = cls()
        for phrase, votes in phrase_votes.items():
            value, count = votes.most_common(1)[0]
            if count / sum(votes.values()) >= 0.8:
                lexicon.phrases[phrase] = value
                if " " in phrase and (first := _ALNUM.findall(phrase)):
                    lexicon.by_first_word.setdefault(first[0], []).append(phrase)
        for word, votes in word_votes.items():
            value, count = votes.most_common(1)[0]
            if count / sum(votes.values()) >= 0.8:
                lexicon.words[word] = value
        return lexicon

    def evidence(self, text: str) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
        """Votes per category from the phrases (+0.5, the longest) and words (+0.25 each)
        named in `text`, and where in the text each category was first named."""
        folded, origin = fold_with_offsets(text)
        votes: dict[str, float] = defaultdict(float)
        spans: dict[str, tuple[int, int]] = {}
        longest: tuple[int, int, int, str] | None = None
        present = set(_ALNUM.findall(folded))
        candidates = [p for word in present for p in self.by_first_word.get(word, ())]
        for phrase in candidates:  # single words are counted below, once each
            value = self.phrases[phrase]
            for start in _whole_word_occurrences(folded, phrase):
                candidate = (len(phrase), start, start + len(phrase), value)
                longest = max(longest, candidate) if longest else candidate
        if longest is not None:
            votes[longest[3]] += 0.5
            spans[longest[3]] = original_span(origin, longest[1], longest[2], len(text))
        for match in _TOKEN.finditer(folded):
            word = match.group()
            value = self.words.get(word) or self.words.get(word.rstrip("s"))
            if value:
                votes[value] += 0.25
                spans.setdefault(
                    value, original_span(origin, match.start(), match.end(), len(text))
                )
        return dict(votes), spans


def _whole_word_occurrences(text: str, phrase: str) -> list[int]:
    """Where `phrase` occurs in `text` not glued to a letter or digit on either side (plain
    string search: a regular expression per phrase would be compiled again and again)."""
    found = []
    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not _is_alnum(before) and not _is_alnum(after):
            found.append(start)
        start = text.find(phrase, start + 1)
    return found


def _is_alnum(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("0" <= ch <= "9")


def entity(name: str, value: Any, start: int, end: int, confidence: float) -> dict[str, Any]:
    return {
        "entity": name,
        "value": value,
        "start": start,
        "end": end,
        "confidence_entity": round(confidence, 3),
        "extractor": EXTRACTOR,
    }


# --- place ------------------------------------------------------------------------------------

_PLACE = re.compile(
    r"(?<![a-z])(?:chez (?:le |la |les |l'|mon |ma |mes )?|(?P<a>a|au|aux) (?P<a_article>la |l')?"
    r"|(?:to|at) the |(?P<to>to) (?P<to_article>my |the )?)"
    r"(?P<head>[a-z][a-z'-]{2,}(?: (?:de la |de l'|de |du |des |d')[a-z][a-z'-]{2,})?)"
)
# After a bare "to" (no article), a verb is far likelier than a place ("someone to walk my
# dog"): only a capitalised name ("to Nantes") or one of these places said without an article.
_PLACES_WITHOUT_ARTICLE = frozenset(
    ["church", "town", "hospital", "school", "market", "mass", "chapel", "college", "university"]
)
# A French infinitive ("aide à porter", "des papiers à remplir", "à faire") is no place.
_INFINITIVE = re.compile(r"^[a-z]+(?:er|ir|re|oir)$")
_NOT_PLACES = re.compile(
    r"^(?:demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|matin|midi|soir|"
    r"semaine|moins|plus|mois|fois|cause|sujet|propos|besoin|maison|domicile|moi|help|"
    r"morning|afternoon|evening|weekend|end|moment|minute|time|same|rest|aider|faire|"
    r"quelqu|the|me|him|her|us|them|go|get|take|do|come|pick|drive|bring|see|buy|have|be)"
    r"(?![a-z])"
)


def find_place(text: str) -> dict[str, Any] | None:
    """A place named after 'chez', 'à la', 'au', 'to the'...: the dentist, the pharmacy."""
    folded, origin = fold_with_offsets(text)
    for match in _PLACE.finditer(folded):
        head = match.group("head")
        if _NOT_PLACES.match(head) or head[0].isdigit() or not _plausible(text, origin, match):
            continue
        begin, finish = original_span(origin, match.start(), match.end(), len(text))
        return entity("place", text[begin:finish], begin, finish, 0.6)
    return None


def _plausible(text: str, origin: Sequence[int], match: re.Match[str]) -> bool:
    """After a bare "to" or "à" (no article), is the next word a place rather than a verb, or
    the English article "a" ("a lift", "a hand")? A capitalised word is a place's name."""
    head = match.group("head")
    first = text[origin[match.start("head")]] if match.start("head") < len(origin) else ""
    named = first.isupper()
    if match.group("to") and not match.group("to_article"):
        return named or head.split()[0] in _PLACES_WITHOUT_ARTICLE
    if match.group("a") == "a" and not match.group("a_article"):
        accented = text[origin[match.start("a")]] in "àÀ"
        # "a" without its accent is as often the English article: then only a name counts.
        return named or (accented and not _INFINITIVE.match(head.split()[0]))
    return True


# --- when -------------------------------------------------------------------------------------

# A day named in full, or by "lun" (no other word in either language). The other short forms
# are everyday words too ("mon fils", "I sat down", "the sun", "mer", "jeu"): they name a day
# only written as an abbreviation ("Mon.", "sam.") or followed by a date or an hour
# ("Mon 12", "sat 3pm", "ven 14h").
_DAY = (
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|lun|"
    r"(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun|mar|mer|jeu|ven|sam|dim)"
    r"(?:\.|(?= \d{1,2}(?![0-9]{2})))"
)
_MONTH = (
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|"
    r"decembre|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_TIME_CUES = re.compile(
    rf"(?<![a-z0-9])(?:{_DAY}|apres-demain|apres demain|demain|aujourd'hui|aujourd hui|ce soir|"
    r"cet apres-midi|ce matin|tomorrow|today|tonight|this (?:morning|afternoon|evening)|"
    r"(?:la )?semaine prochaine|next week|this week|dans la semaine|cette semaine|"
    r"(?:les )?prochains jours|jours qui viennent|next (?:few )?days|coming days|"
    r"ce week-end|this weekend|weekend|week-end|"
    r"matin(?:ee)?|midi|apres-midi|apres midi|aprem|soir(?:ee)?|morning|afternoon|evening|"
    r"noon|lunch|dejeuner|"
    rf"\d{{1,2}} ?h(?: ?\d{{2}})?|\d{{1,2}}:\d{{2}}|\d{{1,2}} ?(?:am|pm)|"
    rf"\d{{1,2}}(?:er|st|nd|rd|th)? (?:{_MONTH})|(?:{_MONTH}) \d{{1,2}}(?:st|nd|rd|th)?|"
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|prochain(?:e)?|next|en huit|en quinze|"
    r"(?:at|around|about|vers|a) \d{1,2}(?![0-9:h])|"
    # "le 3" names a day only before a time of day or at the end ("le 3 rue..." is a place).
    r"(?:le|the|on the) \d{1,2}(?![0-9])(?:er|st|nd|rd|th)?(?= ?(?:$|[,.!?;]|(?:au |a |vers |"
    r"at |in the |dans l )?(?:matin|apres|aprem|soir|midi|morning|afternoon|evening|noon|"
    r"\d{1,2} ?(?:h|:|am|pm)))))(?![a-z0-9])"
)
_MAX_GAP = 20
# Small words around a time that say nothing else ("dans la semaine", "plutôt jeudi matin").
_TIME_FILLER = re.compile(
    r"(?<![a-z0-9])(?:dans|la|les|le|l|de|du|des|en|ce|cette|pour|plutot|disons|vers|on|in|the|"
    r"at|for|during|within|around|or|ou|et|and|maybe|peut-etre|sometime|un|une)(?![a-z0-9])"
)


def names_only_a_time(text: str) -> bool:
    """Whether `text` says nothing but a day or a time ("dans la semaine", "jeudi matin"): such
    a message cannot tell of a danger, whatever a classifier guesses."""
    folded, _origin = fold_with_offsets(text)
    if not _TIME_CUES.search(folded):
        return False
    rest = _TIME_FILLER.sub(" ", _TIME_CUES.sub(" ", folded))
    return not re.sub(r"[\s\W]+", "", rest)


def find_when(text: str, *, now: datetime, timezone: str, language: str) -> dict[str, Any] | None:
    """The moment or window named in `text`, resolved against `now` in the territory's zone."""
    folded, origin = fold_with_offsets(text)
    matches = list(_TIME_CUES.finditer(folded))
    if not matches:
        return None
    start, end = matches[0].start(), matches[0].end()
    for match in matches[1:]:
        if match.start() - end > _MAX_GAP:
            break
        end = match.end()
    # Words just before a cue ("vers", "à", "at") help the parser with the hour.
    window = folded[max(0, start - 6) : end]
    resolved = parse_window(window, now=now, timezone=timezone, language=language)
    if resolved is None:
        resolved = parse_window(folded[start:end], now=now, timezone=timezone, language=language)
    if resolved is None:
        return None
    begin, finish = original_span(origin, start, end, len(text))
    first, last, kind = resolved
    # A window keeps its kind ("morning", "days"): it is shown as said, never with an hour.
    value: Any = (
        first.isoformat()
        if last is None
        else {"from": first.isoformat(), "to": last.isoformat(), "kind": str(kind)}
    )
    return entity("when", value, begin, finish, 0.8)
