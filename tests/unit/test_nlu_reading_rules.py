"""General rules of reading a message, each shown on several wordings:

- a short form of a day that is also an everyday word ("mon", "sat", "sun", "mer", "jeu") is a
  day only written as an abbreviation ("Mon.", "sam.") or followed by a date or an hour;
- after a bare "to" or "à" (no article), a verb is no place ("someone to walk my dog", "aide à
  porter"), nor is what follows the English article "a" ("a lift");
- danger words told calmly (an old fall told as news: "last year", "il y a deux ans") or that
  name no danger (a fire drill, a fire lit in the fireplace) raise no emergency.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.dialogue.danger_words import looks_like_emergency
from core.dialogue.dispatch import IN_FLOW_EMERGENCY
from core.dialogue.flows.emergency import CLEAR_EMERGENCY
from core.dialogue.words import command_of, is_bare_cry
from nlu.emergency import danger_now
from nlu.entities import find_place, find_when
from nlu.interpreter import BuiltinInterpreter, decide_intent

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday


def when(text: str, language: str = "fr") -> dict | None:
    return find_when(text, now=NOW, timezone="Europe/Paris", language=language)


def weekday_of(found: dict) -> int:
    value = found["value"]
    return datetime.fromisoformat(value["from"] if isinstance(value, dict) else value).weekday()


# --- days ---------------------------------------------------------------------------------------

EVERYDAY_WORDS = [
    "mon fils est malade",
    "Mon chat ne mange plus",
    "pour mon voisin",
    "I sat down for a bit",
    "a walk in the sun",
    "une maison au bord de la mer",
    "un jeu de cartes avec ma voisine",
    "Sam my grandson will call",
    "the light is dim in the hall",
    "I wed in 1962",
]


@pytest.mark.parametrize("text", EVERYDAY_WORDS)
def test_a_short_day_name_that_is_an_everyday_word_names_no_day(text: str) -> None:
    assert when(text) is None


@pytest.mark.parametrize(
    "text", ["mon fils vient demain", "Mon chat doit aller au vétérinaire demain", "sun tomorrow"]
)
def test_an_everyday_word_does_not_hide_the_day_named_after_it(text: str) -> None:
    found = when(text)
    assert found is not None
    assert text[found["start"] : found["end"]].lower() in ("demain", "tomorrow")
    assert weekday_of(found) == 3  # Thursday, the day after NOW


@pytest.mark.parametrize(
    ("text", "weekday"),
    [
        ("Mon. 10am please", 0),
        ("can you come Mon 3pm", 0),
        ("rdv lun 14h", 0),
        ("lundi", 0),
        ("Monday morning", 0),
        ("sat. morning", 5),
        ("Sat 10am", 5),
        ("ven 14h", 4),
        ("sam. matin", 5),
    ],
)
def test_a_day_written_out_or_abbreviated_with_a_date_or_an_hour_is_that_day(
    text: str, weekday: int
) -> None:
    found = when(text, "en" if text[0] in "MCSsm" and "matin" not in text else "fr")
    assert found is not None
    assert weekday_of(found) == weekday


# --- places -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I need someone to walk my dog",
        "could someone come to fix my shelf",
        "a volunteer to carry the shopping",
        "someone to read my letters to me",
        "help to fill in a form",
        "aide à porter mes courses",
        "des papiers à remplir",
        "quelqu'un pour m'aider à sortir le chien",
        "j'ai des choses à faire demain",
        "a lift on Friday",
        "I need a hand with the garden",
        "a ride tomorrow morning",
    ],
)
def test_a_verb_after_a_bare_to_or_a_and_the_english_article_are_no_place(text: str) -> None:
    assert find_place(text) is None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("a lift to the pharmacy", "to the pharmacy"),
        ("a lift to church on Sunday", "to church"),
        ("can someone drive me to Nantes", "to Nantes"),
        ("je dois aller à Nantes", "à Nantes"),
        ("je dois aller à nantes jeudi", "à nantes"),
        ("je dois aller a Nantes", "a Nantes"),
        ("m'accompagner au marché", "au marché"),
        ("chez le dentiste mardi", "chez le dentiste"),
        ("à la pharmacie", "à la pharmacie"),
        ("to my daughter's", "to my daughter's"),
    ],
)
def test_a_place_after_an_article_or_named_with_a_capital_is_still_a_place(
    text: str, place: str
) -> None:
    found = find_place(text)
    assert found is not None and found["value"] == place


# --- emergencies told calmly or naming no danger ----------------------------------------------

DANGERS = {
    "en": ["I fell and I can't get up", "I had a fall", "there was a fire in my kitchen"],
    "fr": ["je suis tombée", "j'ai fait un malaise", "il y a eu un incendie chez moi"],
}
PAST = {
    "en": ["last year", "two years ago", "a few months ago", "last winter", "yesterday"],
    "fr": ["l'an dernier", "l an dernier", "l'année dernière", "il y a deux ans", "hier"],
}


TOLD_AFTERWARDS = [
    f"{danger} {past}" for lang in DANGERS for danger in DANGERS[lang] for past in PAST[lang]
] + [f"{past.capitalize()}, {danger}" for danger in DANGERS["en"] for past in PAST["en"]]


@pytest.mark.parametrize("text", TOLD_AFTERWARDS)
def test_a_danger_told_as_something_past_is_no_emergency(text: str) -> None:
    assert not looks_like_emergency(text)
    assert not danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        "there's a fire drill at the residence tomorrow",
        "we had a fire drill this morning, all fine",
        "my fire alarm keeps beeping, can someone change the battery",
        "change the battery in my smoke alarm please",
        "someone to check my fire extinguisher",
        "can you help me light the fire in the fireplace",
        "I'd like to make a fire in the garden to burn leaves",
        "where is the fire exit in the community hall",
        "exercice incendie à la résidence demain",
        "mon détecteur incendie bipe, il faut changer la pile",
        "quelqu'un pour allumer le feu dans la cheminée",
        "on va faire un feu de jardin samedi",
    ],
)
def test_fire_words_that_name_no_fire_raise_no_emergency(text: str) -> None:
    assert not looks_like_emergency(text)
    assert not danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        "fire! help",
        "there is a fire in the kitchen",
        "the fire alarm is going off and there is smoke everywhere",
        "au feu",
        "il y a le feu dans la cuisine",
        "le feu a pris dans la cheminée et ça déborde",
        "I fell and I can't get up",
        "je suis tombée et je ne peux pas me relever",
    ],
)
def test_a_fire_or_a_fall_now_is_still_an_emergency(text: str) -> None:
    assert looks_like_emergency(text) or danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        "my husband had a stroke and can't drive, could someone take him to the shops on Tuesdays",
        "Dad had a heart attack in May, could someone bring him a meal now and then",
        "mon mari a fait un avc, quelqu'un pourrait l'emmener faire ses courses le mardi",
        "papa a eu un infarctus, qqn pour lui porter des repas ?",
        "after my heart attack I'm not allowed to carry things, can someone help with groceries",
        "depuis mon infarctus je ne peux plus porter, qqn pour les courses ?",
        "since mum's stroke she can't use her right hand, could someone help her with forms",
        "I fell off my bike and my arm is in plaster, can someone walk my dog",
        "could someone chop some logs for my fire",
        "the fire alarm in my hallway is beeping, could someone change the battery",
        "can you help me, I need to email the council and don't know how",
        "my windows need cleaning, I can't get up the steps",
        "what should I do if there's an emergency",
        "que faire en cas d'urgence ?",
        "is this service for emergencies as well?",
        "should I call 999 or write to you?",
        "I fell asleep in front of the telly and missed your message",
        "je suis tombée en panne sur la rocade, quelqu'un peut venir me chercher ?",
        "je suis tombée malade, quelqu'un pour mes courses ?",
        "my gas fire isn't working, could someone have a look",
        "I need an emergency dentist appointment, can someone drive me",
        "j'ai peur de tomber dans la douche, quelqu'un pour poser une barre d'appui ?",
        "mum is scared of falling in the shower, could someone fit a grab rail",
        "I get chest pains carrying heavy bags, could someone do my shopping",
        "aide",
        "help",
    ],
)
def test_an_illness_told_before_a_chore_or_an_emergency_supposed_raises_no_emergency(
    text: str,
) -> None:
    assert not looks_like_emergency(text)
    assert not danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        "mum had a stroke, could someone come, she can't speak",
        "il a fait un avc il a la bouche de travers quelqu'un peut venir",
        "my husband had a stroke, could someone call an ambulance",
        "jarrive pa a me relever",
        "cant breath",
        "ma femme ne respire presque plus",
        "strong smel of gas",
        "gaz !!",
        "mal a la poitrinne tres fort",
        "elle est sans connaissance dans le couloir",
        "she's vomiting blood",
        "i can't move i'm stuck on the floor",
        "aidez moi vite",
        "this is an emergency",
        "je suis tombée dans la douche, je ne peux pas me relever",
        "I fell in the shower",
        "help me quick",
    ],
)
def test_a_danger_now_misspelt_or_after_a_past_illness_is_still_an_emergency(text: str) -> None:
    assert looks_like_emergency(text) or danger_now(text)


@pytest.mark.parametrize("text", ["aide", "Help", "help", "?", "/aide", "/help"])
def test_the_help_command_typed_alone_is_the_help_intent_whatever_the_model_says(
    text: str,
) -> None:
    """The engine answers these as its help command: the NLU must not call them a danger."""
    intent, confidence = decide_intent([("emergency", 0.62), ("help", 0.2)], text)
    assert (intent, confidence) == ("help", 0.95)


@pytest.mark.parametrize(
    "text",
    [
        "HELP",
        "Help!",
        "aide !",
        "AIDE",
        "à l'aide",
        "help me!!",
        "urgent",
        "urgent urgent urgent",
        "C'EST URGENT",
        "c'est urgent svp",
        "need help now",
        "mayday",
        "malaise",
        "Poison !",
        "pas bien du tout",
        "URGENT !! venez s'il vous plaît",
    ],
)
def test_a_bare_cry_or_a_word_of_danger_alone_asks_whether_she_is_in_danger(text: str) -> None:
    """Not the help command, not an alarm without a word of danger: the weak emergency guess
    that the dialogue answers with "Are you in danger?" (below `CLEAR_EMERGENCY`)."""
    assert command_of(text) is None
    intent, confidence = decide_intent([("help", 0.9), ("emergency", 0.05)], text)
    assert intent == "emergency"
    assert IN_FLOW_EMERGENCY <= confidence < CLEAR_EMERGENCY


@pytest.mark.parametrize(
    "text", ["c'est urgent, mes impôts", "urgent : la facture d'eau", "aide svp", "help"]
)
def test_urgent_with_a_subject_or_a_plain_help_word_is_no_cry(text: str) -> None:
    assert not is_bare_cry(text)


def test_a_cry_for_help_with_a_danger_is_still_an_emergency() -> None:
    intent, _ = decide_intent([("help", 0.6), ("emergency", 0.3)], "help I fell")
    assert intent == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "I fell last night and I can't get up",
        "je suis tombée hier soir, je suis toujours par terre",
        "my husband had a stroke last night, he is not responding",
        "depuis ma chute j'ai mal à la poitrine, je n'arrive plus à respirer",
        "I'm home from hospital and I have chest pain now",
    ],
)
def test_a_danger_still_present_after_a_past_event_is_an_emergency_for_the_whole_nlu(
    text: str, interpreter: BuiltinInterpreter
) -> None:
    """The calm markers ("last night", "since my fall") quiet the keyword nets; a danger that
    is still there must then be caught by the model: the NLU's answer is what counts."""
    assert interpreter.parse_sync(text).intent == "emergency"


@pytest.mark.parametrize("text", ["hmm", "Hmm...", "euh", "bof", "hein ?", "umm", "ah bon ?"])
def test_a_hesitation_is_never_a_confident_meaning(text: str) -> None:
    """Whatever the model guesses first ("hmm" was a yes at 0.5), a hesitation is unclear."""
    _intent, confidence = decide_intent([("affirm", 0.5), ("greet", 0.45)], text)
    assert confidence < 0.25


@pytest.mark.parametrize("text", ["ok", "oui", "ah oui", "bah oui", "hmm ok", "yes"])
def test_a_yes_after_a_hesitation_is_still_a_yes(text: str) -> None:
    assert decide_intent([("affirm", 0.9), ("greet", 0.05)], text) == ("affirm", 0.9)
