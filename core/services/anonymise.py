"""A message with what identifies a person replaced by placeholders, before it is stored.

Used for the messages kept for review (`core/services/learning.py`): they may end up in the
training data of the repository. Replaced, in this order:
- links and e-mail addresses (`<link>`, `<email>`): a link in a forwarded scam may carry the
  member's own tracking code;
- phone numbers (`<phone>`): 8 to 15 digits, with or without spaces, dots, dashes, `+33`/`0033`;
- postal addresses (`<address>`): a number and a kind of street ("12 rue des Lilas", "3 bis
  avenue Victor Hugo", "12 Baker Street"), a street named without its number when its name is
  capitalised ("rue des Lilas"), a French postcode and its town ("44400 Rezé"), a UK postcode;
- names (`<name>`): the names given (the member's own, the territory's members), a name after a
  title ("Mme Martin", "Dr Smith"), and every capitalised word inside a sentence (not its first
  word), but the days, the months, "I" and the placeholders themselves.

Privacy first: a capitalised town or shop name inside a sentence is replaced too. What is left:
a name that opens a sentence, or a name typed in lower case or all in capitals, that nobody gave;
the coordinator who reviews the message sees it and can drop the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME, PHONE, ADDRESS, EMAIL, LINK = "<name>", "<phone>", "<address>", "<email>", "<link>"

_LINK = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|fr|net|org|info|io|ly)/\S*", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[ .\-/]?\d){7,14}(?![\w])")
_STREET = (
    r"(?i:rue|avenue|av\.?|bd|boulevard|chemin|place|all[ée]e|impasse|route|quai|square|cours|"
    r"passage|r[ée]sidence|lotissement|hameau|lieu-dit|rond-point|street|road|lane|drive|"
    r"close|crescent|terrace)"
)
_LINKING = r"(?:\s+(?i:de la|de l'|des|du|de|d'|la|le|les|l'|of the|the))?"
_ADDRESS = re.compile(
    # 12 rue des Lilas, 3 bis avenue Victor Hugo: the street's name is its next word or two
    # (capitalised ones only for the second).
    rf"\b\d{{1,4}}\s*(?:bis|ter|[a-c]\b)?\s*,?\s*(?:{_STREET})\b{_LINKING}\s*[\w'’-]+"
    r"(?:\s+[A-ZÀ-Ý][\w'’-]+)?"
    # 12 Baker Street
    r"|\b\d{1,4}\s+(?:[A-Z][\w'-]+\s+){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Ave|Drive|Close|"
    r"Way|Court|Crescent|Terrace|Gardens|Grove)\b\.?"
    # rue des Lilas (no number): only a capitalised name makes it an address.
    rf"|\b(?:{_STREET})\b{_LINKING}\s*[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?"
    # 44400 Rezé, and UK postcodes (SW1A 1AA)
    r"|\b\d{5}\s+[A-ZÀ-Ý][\w'’-]+|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"
)
_TITLE = re.compile(
    r"\b(M\.|Mr\.?|Mrs\.?|Ms\.?|Miss|Mme|Mlle|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|"
    r"Doctor)\s+[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?"
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
_KEPT_CAPITALISED = frozenset(
    [
        "i",
        "i'm",
        "i'll",
        "i've",
        "i'd",
        "ok",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
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
        "janvier",
        "février",
        "fevrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
        "decembre",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "madame",
        "monsieur",
        "mademoiselle",
        "mme",
        "mlle",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "docteur",
        "doctor",
    ]
)
MIN_NAME_CHARS = 3  # a given name shorter than this would hide common words


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """`text` with links, e-mails, phone numbers, addresses and names replaced by placeholders."""
    text = _LINK.sub(LINK, text)
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(PHONE, text)
    text = _ADDRESS.sub(ADDRESS, text)
    text = _TITLE.sub(lambda m: f"{m.group(1)} {NAME}", text)
    given = sorted(
        {part for name in names for part in _WORD.findall(name) if len(part) >= MIN_NAME_CHARS},
        key=len,
        reverse=True,
    )
    if given:
        pattern = r"(?<![\w<])(?:" + "|".join(re.escape(p) for p in given) + r")(?![\w>])"
        text = re.sub(pattern, NAME, text, flags=re.IGNORECASE)
    return _capitalised_names(text)


def _capitalised_names(text: str) -> str:
    """Every Title-case word that does not open a sentence, but the kept ones, is a name."""
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        before = text[: match.start()]
        opens = not before.strip() or bool(_SENTENCE_END.search(before))
        placeholder = before.endswith("<")
        if (
            not opens
            and not placeholder
            and word[0].isupper()
            and not word[1:2].isupper()  # SAMU, EDF, CAF: organisations, or a caps-lock text
            and word.lower() not in _KEPT_CAPITALISED
        ):
            pieces.append(text[position : match.start()] + NAME)
            position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)
