"""The danger patterns: every kind of emergency of the intent's definition, and calm messages
that talk about the same things afterwards, harmlessly or for an appointment."""

from __future__ import annotations

import pytest

from nlu.emergency import danger_now, not_an_emergency, told_calmly
from nlu.text import fold


@pytest.mark.parametrize(
    "text",
    [
        "je suis par terre dans la chambre et je n'arrive pas à me relever",
        "impossible de me relever, je suis au sol",
        "I'm on the floor and can't get up",
        "j'ai une douleur qui serre la poitrine",
        "crushing pain in my chest",
        "il ne respire plus",
        "she's not breathing",
        "ma mère ne répond plus et ne bouge plus",
        "he's unresponsive",
        "le feu a pris dans la cuisine",
        "the curtains caught fire",
        "odeur de gaz dans l'entrée",
        "I can smell gas everywhere",
        "sa bouche est de travers et il bafouille",
        "her face is drooping and she can't speak",
        "il s'étouffe avec un bonbon",
        "he's choking",
        "elle a bu de l'eau de javel",
        "he took a whole box of sleeping pills",
        "il saigne beaucoup de la tête",
        "il fait une crise d'épilepsie",
        "appelez les pompiers vite",
        "call an ambulance",
    ],
)
def test_a_danger_now_is_recognised(text: str) -> None:
    assert danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        "je suis tombée la semaine dernière, qqn pour m'accompagner faire mes courses ?",
        "I fell last month, nothing broken, could someone mow my lawn?",
        "rdv chez le cardiologue jeudi pour une douleur à la poitrine, qqn pour m'y conduire ?",
        "my neighbour had a stroke two years ago and has recovered well",
        "ce n'est pas une urgence mais ma haie déborde",
        "qqn pour m'aider à allumer un feu dans la cheminée samedi ?",
        "my glasses fell on the floor and broke, could someone take me to the optician?",
        "je prends mes médicaments tous les matins",
        "I took my tablets this morning, all fine",
        "mon étagère s'est effondrée, qqn pour la remonter ?",
        "can someone come now and then for a chat?",
        "the smoke alarm keeps beeping, the battery needs changing",
        "I can't get up the stairs with my shopping, could someone carry it?",
        "je ne peux plus lever les bras pour étendre le linge",
        "I want to call the police about my neighbour's noise",
    ],
)
def test_a_calm_message_is_no_danger(text: str) -> None:
    assert not danger_now(text)


def test_saying_it_is_no_emergency_is_understood() -> None:
    assert not_an_emergency(fold("Ce n'est pas une urgence, mais..."))
    assert not_an_emergency(fold("it's not an emergency"))
    assert told_calmly(fold("I had a fall two weeks ago"))
    assert not told_calmly(fold("I've just fallen in the kitchen"))
