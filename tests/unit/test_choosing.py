"""Which button a typed answer selects (`core.dialogue.choosing.pick`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.dialogue.choosing import LITTLE_WORDS, pick

WORD = st.text("abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=7).filter(
    lambda w: w not in LITTLE_WORDS
)
LABELS = st.lists(
    st.lists(WORD, min_size=1, max_size=4).map(tuple), min_size=1, max_size=6, unique=True
)


@given(LABELS, st.data())
def test_a_unique_part_of_a_label_selects_it_and_a_shared_part_selects_nothing(
    labels: list[tuple[str, ...]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(labels) - 1))
    words = labels[index]
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    part = list(words[start:end])
    typed = " ".join(part).upper()  # case and accents are ignored
    shown = [" ".join(label).capitalize() for label in labels]

    picked = pick(typed, shown)

    exact = [i for i, label in enumerate(labels) if list(label) == part]
    having = [
        i
        for i, label in enumerate(labels)
        if any(list(label[k : k + len(part)]) == part for k in range(len(label)))
    ]
    if exact:  # the whole of a label is that label, even if another one contains it
        assert picked.chosen == (exact[0],)
    elif having == [index]:
        assert picked.chosen == (index,)
    else:
        assert picked.chosen == () and picked.ambiguous


def test_accents_case_hyphens_and_little_words_are_ignored() -> None:
    assert pick("le week end", ["En semaine", "Le week-end"]).chosen == (1,)
    assert pick("dimanche", ["Samedi 13 juin", "Dimanche 14 juin"]).chosen == (1,)
    assert pick("SAMEDI", ["Samedi 13 juin", "Samédi 20 juin"]).ambiguous


def test_numbers_are_positions_one_or_several() -> None:
    labels = ["a b", "c d", "e f", "g h", "i j"]
    assert pick("2", labels).chosen == (1,)
    assert pick("1 et 5", labels).chosen == (0, 4)
    assert pick("1, 3", labels).chosen == (0, 2)
    assert pick("7", labels).out_of_range and not pick("7", labels).chosen
    assert pick("1 et 9", labels).out_of_range


def test_where_the_answer_is_free_text_only_a_whole_label_is_a_button() -> None:
    labels = ["Demain matin", "Demain après-midi"]
    assert pick("matin", labels, parts=False).chosen == ()
    assert pick("demain matin", labels, parts=False).chosen == (0,)


def test_a_part_made_only_of_little_words_selects_nothing() -> None:
    assert pick("à", ["Parler à un coordinateur", "Aide"]).chosen == ()
