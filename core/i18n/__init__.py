"""Translations: gettext catalogs (`locales/<lang>/LC_MESSAGES/messages.po`) compiled at first use.

Message ids are the English texts; `translator_for(lang)` never installs a global `_`.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"


@cache
def translator_for(language: str) -> gettext.NullTranslations:
    """The catalog of a language (compiled in memory from its .po), English as the fallback."""
    po_file = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(language: str, message: str) -> str:
    return translator_for(language).gettext(message)


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it here."""
    return message
