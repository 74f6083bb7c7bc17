"""Calm words count near the danger they calm, never from the far end of a long message: the
rule of `danger_words.told_now`, checked on generated messages (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.dialogue.danger_words import looks_like_emergency, sentences
from nlu.emergency import danger_now

DANGERS = [
    "je suis par terre et je n'arrive pas à me relever",
    "ma mère ne respire plus",
    "il y a de la fumée partout dans le couloir",
    "her face is drooping and she can't speak",
    "I can smell gas everywhere",
    "he's not breathing",
]
CALM_NEWS = [
    "Merci pour la visite de la semaine dernière",
    "I fell last year but I'm fine",
    "Mon petit-fils est venu hier",
    "Thanks again for last week",
    "J'ai eu un rendez-vous chez le cardiologue en janvier",
]
FILLERS = [
    "Il fait beau aujourd'hui",
    "The garden looks lovely",
    "Ma voisine a repeint sa porte",
    "I've been reading a good book",
    "Le marché était animé",
]


def _alarm(text: str) -> bool:
    return looks_like_emergency(text) or danger_now(text)


@given(
    st.sampled_from(DANGERS),
    st.sampled_from(CALM_NEWS),
    st.lists(st.sampled_from(FILLERS), min_size=1, max_size=4),
)
def test_calm_news_two_sentences_away_never_silences_a_danger(
    danger: str, news: str, fillers: list[str]
) -> None:
    assert _alarm(danger)
    message = ". ".join([news, *fillers, danger]) + "."
    assert _alarm(message)


@given(st.sampled_from(DANGERS), st.sampled_from(FILLERS))
def test_saying_it_is_no_emergency_anywhere_silences_the_nets(danger: str, filler: str) -> None:
    assert not _alarm(f"Ce n'est pas une urgence. {filler}. {danger}.")


@given(st.text(alphabet=st.sampled_from("ab .!?;\n2"), max_size=60))
def test_sentences_keep_every_letter_and_mark_in_order(text: str) -> None:
    assert "".join("".join(sentences(text)).split()) == "".join(text.split())
