"""What identifies a person is replaced by a placeholder before a message is kept for review."""

from __future__ import annotations

import pytest

from core.services.anonymise import anonymise


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "0033612345678",
        "07700 900123",
        "+44 7700 900123",
        "02-40-12-34-56",
    ],
)
def test_a_phone_number_in_any_writing_becomes_a_placeholder(phone: str) -> None:
    assert anonymise(f"appelez-moi au {phone} merci") == "appelez-moi au <phone> merci"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("j'habite 3 rue des Pêcheurs depuis 20 ans", "j'habite <address> depuis 20 ans"),
        ("au 12 bis avenue Victor Hugo", "au <address>"),
        ("12, boulevard de la Liberté", "<address>"),
        ("I live at 12 Baker Street", "I live at <address>"),
        ("near 4 Church Road please", "near <address> please"),
        ("je suis rue des Lilas", "je suis <address>"),
        ("code postal 44400 Rezé", "code postal <address>"),
        ("postcode SW1A 1AA", "postcode <address>"),
    ],
)
def test_an_address_becomes_a_placeholder(text: str, kept: str) -> None:
    assert anonymise(text) == kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("c'est pour Mme Martin au deuxième", "c'est pour Mme <name> au deuxième"),
        ("Dr Smith said I should rest", "Dr <name> said I should rest"),
        ("ma fille Sophie viendra", "ma fille <name> viendra"),
        ("my grandson Kevin can't come", "my grandson <name> can't come"),
        ("Bonjour, ici Jeanne Dupuis", "Bonjour, ici <name> <name>"),
    ],
)
def test_a_name_after_a_title_or_inside_a_sentence_becomes_a_placeholder(
    text: str, kept: str
) -> None:
    assert anonymise(text) == kept


def test_names_given_are_replaced_whatever_their_case_and_place() -> None:
    text = "alice a besoin d'aide, demandez à ALICE ou à Durand"
    assert anonymise(text, ["Alice Durand"]) == (
        "<name> a besoin d'aide, demandez à <name> ou à <name>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Can you come on Monday? I need help in March",
        "Je voudrais de l'aide Lundi. Merci",
        "Le SAMU est venu, la CAF a répondu",
        "OK merci",
    ],
)
def test_days_months_i_and_acronyms_are_kept(text: str) -> None:
    assert anonymise(text) == text


def test_links_and_e_mails_become_placeholders() -> None:
    text = "payez sur https://colis-suivi.info/x?id=8812 ou écrivez à jean.dupont@mail.fr"
    assert anonymise(text) == "payez sur <link> ou écrivez à <email>"
