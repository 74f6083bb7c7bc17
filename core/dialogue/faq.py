"""Questions about the service itself, answered for what they ask: "c'est combien ?", "are the
volunteers checked?", "who sees my address?", "how do I cancel?".

A question the NLU takes for `help` (or for something out of scope) is looked up here first;
the general help is shown only when it asks none of these. Each answer says what is true of
every cooperative that runs entraide, in a few plain sentences, and nothing it cannot keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.dialogue.words import fold
from core.i18n import N_


@dataclass(frozen=True)
class Topic:
    name: str
    pattern: re.Pattern[str]
    answer: str  # a message id
    action: str | None = None  # a button to do it at once ("my_requests", "language")


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(?:" + "|".join(alternatives) + r")(?![a-z])")


# In order: the first topic a question matches is answered.
TOPICS = (
    Topic(
        "privacy",
        _words(
            r"(?:qui|who)\b.{0,30}(?:voit|voir|verra|see|sees|know)\b.{0,30}"
            r"(?:adresse|telephone|numero|address|phone|number)",
            r"donnees personnelles",
            r"vie privee",
            r"personal data",
            r"privacy",
        ),
        N_(
            "Your phone and address are seen only by the volunteer who helps you, "
            "and by the coordinators. Nobody else sees them."
        ),
    ),
    Topic(
        "cost",
        _words(
            r"combien",
            r"payer",
            r"payant",
            r"paye",
            r"gratuit",
            r"tarifs?",
            r"prix",
            r"couts?",
            r"coute",
            r"argent",
            r"how much",
            r"cost",
            r"costs",
            r"price",
            r"pay",
            r"paid",
            r"free",
            r"fees?",
            r"money",
        ),
        N_(
            "The volunteers are not paid for their help. You only pay back what they buy "
            "for you, with the receipt. If someone asks you for any other money, tell a "
            "coordinator."
        ),
    ),
    Topic(
        "trust",
        _words(
            r"verifies?",
            r"verifiees?",
            r"controles?",
            r"confiance",
            r"serieux",
            r"fiables?",
            r"securite",
            r"qui sont (?:les|ces) benevoles",
            r"vetted",
            r"checked",
            r"trust",
            r"background",
            r"safe",
            r"who are the volunteers",
        ),
        N_(
            "A coordinator approves each volunteer before they help. "
            "At your door, the volunteer says the safety word I give you. "
            "If you are in doubt, do not open, and call a coordinator."
        ),
    ),
    Topic(
        "change",
        _words(r"(?:comment|how)\b.{0,25}(?:modifier|changer|change|edit)"),
        N_('To change a request, press "My requests", then "Change" under it.'),
        "my_requests",
    ),
    Topic(
        "cancel",
        _words(r"(?:comment|how)\b.{0,25}(?:annuler|annule|cancel)"),
        N_('To cancel a request, press "My requests", then "Cancel this request".'),
        "my_requests",
    ),
    Topic(
        "language",
        _words(
            r"en anglais",
            r"en francais",
            r"in english",
            r"in french",
            r"(?:changer|change)(?: de| the| my)? (?:langue|language)",
        ),
        N_("You can choose your language with this button."),
        "language",
    ),
)


def topic_of(text: str) -> Topic | None:
    """The question about the service `text` asks, if it is one of `TOPICS`."""
    folded = fold(text).replace("\u2019", "'")
    return next((topic for topic in TOPICS if topic.pattern.search(folded)), None)
