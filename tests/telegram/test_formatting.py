"""The parse_mode parsing of the local Bot API server (text as shown, entities in UTF-16)."""

from __future__ import annotations

import pytest

from .formatting import FormattingError, parse_entities


@pytest.mark.parametrize(
    ("source", "mode", "text", "entities"),
    [
        (
            '<b>gras <i>italique</i></b> 😀 <a href="https://ex.org">lien</a>',
            "HTML",
            "gras italique 😀 lien",
            [("bold", 0, 13), ("italic", 5, 8), ("text_link", 17, 4)],
        ),
        ("&lt;3 &amp; &quot;ok&quot; &#233;", "HTML", '<3 & "ok" é', []),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "HTML",
            "x = 1",
            [("pre", 0, 5)],
        ),
        (
            "*gras* _it_ 1\\.5 \\- ok",
            "MarkdownV2",
            "gras it 1.5 - ok",
            [("bold", 0, 4), ("italic", 5, 2)],
        ),
        (
            "[lien](https://ex.org) `c`",
            "MarkdownV2",
            "lien c",
            [("text_link", 0, 4), ("code", 5, 1)],
        ),
        ("*gras* _it_", "Markdown", "gras it", [("bold", 0, 4), ("italic", 5, 2)]),
        ("<b>brut</b>", None, "<b>brut</b>", []),
    ],
)
def test_parsed(
    source: str, mode: str | None, text: str, entities: list[tuple[str, int, int]]
) -> None:
    plain, found = parse_entities(source, mode)
    assert plain == text
    assert [(e["type"], e["offset"], e["length"]) for e in found] == entities


@pytest.mark.parametrize(
    ("source", "mode", "error"),
    [
        ("<b>ouvert", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "HTML", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("un<br>deux", "HTML", 'Unsupported start tag "br" at byte offset 2'),
        ("<span>x</span>", "HTML", 'Tag "span" must have class "tg-spoiler"'),
        ("Merci.", "MarkdownV2", "Character '.' is reserved"),
        ("*gras", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("_it", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_refused(source: str, mode: str, error: str) -> None:
    with pytest.raises(FormattingError) as caught:
        parse_entities(source, mode)
    assert error in str(caught.value)
