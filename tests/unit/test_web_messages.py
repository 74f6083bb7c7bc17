"""Every text of the console's templates is a message id the extractor finds, and none is stale."""

from __future__ import annotations

import re
from pathlib import Path

from bots.web import messages
from core.i18n import extract, translate

TEMPLATES = Path(messages.__file__).parent / "templates"
# Words written the same in both languages.
SAME_IN_FRENCH = {"Action", "Actions", "Code", "Question", "Invitations", "Impact"}
LITERAL = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def template_ids() -> set[str]:
    found: set[str] = set()
    for page in TEMPLATES.glob("*.html"):
        for match in LITERAL.finditer(page.read_text(encoding="utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def test_the_list_of_template_messages_names_exactly_the_texts_of_the_templates() -> None:
    assert template_ids() == set(messages.TEMPLATE_MESSAGES)


def test_every_template_text_is_in_the_catalog_and_translated_into_french() -> None:
    collected = extract.collect()
    missing = sorted(t for t in template_ids() if t not in collected)
    assert missing == []
    untranslated = sorted(t for t in template_ids() - SAME_IN_FRENCH if translate("fr", t) == t)
    assert untranslated == []
