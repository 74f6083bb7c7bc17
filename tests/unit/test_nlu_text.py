"""Folding (lower case, no accents) keeps a map back to the original text, whatever the text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from nlu.text import fold, fold_with_offsets, original_span


def folded_by_definition(text: str) -> str:
    """Each character case-folded, decomposed, and stripped of its combining marks."""
    return "".join(
        c
        for ch in text
        for c in unicodedata.normalize("NFKD", ch.casefold())
        if not unicodedata.combining(c)
    )


@given(st.text(max_size=80))
def test_folding_any_text_is_case_folding_without_accents(text: str) -> None:
    assert fold(text) == folded_by_definition(text)


@given(st.text(max_size=80))
def test_every_folded_character_points_to_the_character_it_came_from(text: str) -> None:
    folded, origin = fold_with_offsets(text)
    assert len(origin) == len(folded)
    assert list(origin) == sorted(origin)
    for index, source in enumerate(origin):
        assert folded[index] in folded_by_definition(text[source])


def test_a_span_of_the_folded_text_maps_back_to_the_accented_words() -> None:
    text = "Mme Lefèvre, À Rezé"
    folded, origin = fold_with_offsets(text)
    start = folded.index("a reze")
    begin, end = original_span(origin, start, start + len("a reze"), len(text))
    assert text[begin:end] == "À Rezé"


def test_the_offsets_of_a_cached_fold_cannot_be_changed_by_a_caller() -> None:
    _folded, origin = fold_with_offsets("Thursday morning")
    assert isinstance(origin, tuple)
