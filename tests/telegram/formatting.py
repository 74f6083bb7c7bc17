"""Telegram's text formatting, as the Bot API applies it to what a bot sends.

`parse_entities(text, parse_mode)` returns the text as Telegram stores and shows it (the markup
removed, HTML entities decoded) and its entities, with offsets and lengths in UTF-16 code units
as in the Bot API. Errors raise `FormattingError` with the message that follows
"Bad Request: can't parse entities: " in Telegram's answer.

Covered: HTML (b/strong, i/em, u/ins, s/strike/del, tg-spoiler and span class="tg-spoiler",
a href, code, pre (with <code class="language-x">), blockquote [expandable], tg-emoji; &lt; &gt;
&amp; &quot; and numeric entities; anything else, <br> included, is an unsupported tag),
MarkdownV2 (with its reserved characters that must be escaped) and legacy Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class FormattingError(ValueError):
    """The text cannot be parsed with the given parse_mode."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_entities(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """Plain text and entities for `text` sent with `parse_mode` (None: as is)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")


@dataclass
class _Builder:
    """Accumulates plain text and entities while a parser walks the source."""

    source: str
    parts: list[str] = field(default_factory=list)
    pos: int = 0  # in UTF-16 code units
    entities: list[JSON] = field(default_factory=list)

    def emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def add(self, kind: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def result(self) -> tuple[str, list[JSON]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


# --- HTML ------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


@dataclass
class _Open:
    tag: str
    kind: str | None  # None: a tag that makes no entity (e.g. <a> without href)
    start: int
    byte_offset: int
    extra: JSON


def parse_html(source: str) -> tuple[str, list[JSON]]:
    out = _Builder(source)
    stack: list[_Open] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            match = _ENTITY_RE.match(source, i)
            decoded = _decode_entity(match.group(1)) if match else None
            if match and decoded is not None:
                out.emit(decoded)
                i = match.end()
            else:
                out.emit("&")
                i += 1
            continue
        if char != "<":
            out.emit(char)
            i += 1
            continue
        end = source.find(">", i)
        offset = out.byte_offset(i)
        if end < 0:
            raise FormattingError(f"Unclosed start tag at byte offset {offset}")
        inner = source[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise FormattingError(f"Unexpected end tag at byte offset {offset}")
            top = stack.pop()
            if name != top.tag:
                raise FormattingError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{top.tag}>", '
                    f'found "</{name}>"'
                )
            if top.kind is not None:
                out.add(top.kind, top.start, **top.extra)
        else:
            stack.append(_open_html_tag(inner, offset, out.pos, stack))
        i = end + 1
    if stack:
        raise FormattingError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.result()


def _decode_entity(body: str) -> str | None:
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return _NAMED_ENTITIES.get(body)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return None


def _open_html_tag(inner: str, offset: int, pos: int, stack: list[_Open]) -> _Open:
    match = _TAG_NAME_RE.match(inner)
    name = match.group(0).lower() if match else ""
    if name not in _HTML_TAGS or inner.rstrip().endswith("/"):
        raise FormattingError(f'Unsupported start tag "{name or inner}" at byte offset {offset}')
    attrs: dict[str, str] = {}
    for attr in _ATTR_RE.finditer(inner[len(name) :]):
        attrs[attr.group(1).lower()] = next((g for g in attr.group(2, 3, 4) if g is not None), "")
    kind: str | None = _HTML_TAGS[name]
    extra: JSON = {}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise FormattingError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "a":
        href = attrs.get("href")
        if not href:
            kind = None
        elif href.startswith("tg://user?id="):
            kind, extra = "text_mention", {"user": {"id": int(href.split("=", 1)[1] or 0)}}
        else:
            extra = {"url": href}
    if name == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    if name == "tg-emoji":
        if "emoji-id" not in attrs:
            raise FormattingError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        extra = {"custom_emoji_id": attrs["emoji-id"]}
    if name == "code" and stack and stack[-1].tag == "pre" and stack[-1].start == pos:
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].extra["language"] = language[len("language-") :]
            kind = None
    return _Open(name, kind, pos, offset, extra)


# --- MarkdownV2 ------------------------------------------------------------------------------

_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "*": ("bold", "Bold"),
    "_": ("italic", "Italic"),
    "__": ("underline", "Underline"),
    "~": ("strikethrough", "Strikethrough"),
    "||": ("spoiler", "Spoiler"),
    "[": ("text_link", "TextUrl"),
}


def parse_markdown_v2(source: str) -> tuple[str, list[JSON]]:
    out = _Builder(source)
    stack: list[tuple[str, int, int]] = []  # marker, start, byte offset
    quote_start: int | None = None
    i = 0
    while i < len(source):
        char = source[i]
        at_line_start = i == 0 or source[i - 1] == "\n"
        if char == "\\":
            if i + 1 < len(source) and 0 < ord(source[i + 1]) <= 126:
                out.emit(source[i + 1])
                i += 2
                continue
            raise _reserved(char)
        if char == ">" and at_line_start:
            if quote_start is None:
                quote_start = out.pos
            i += 1
            continue
        if char == "\n" and quote_start is not None and not source.startswith(">", i + 1):
            out.add("blockquote", quote_start)
            quote_start = None
        if char == "`":
            i = _md2_code(source, i, out)
            continue
        marker = next((m for m in ("__", "||", "*", "_", "~") if source.startswith(m, i)), None)
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                out.add(_MD2_NAMES[marker][0], start)
            elif any(entry[0] == marker for entry in stack):
                _, start, offset = stack[-1]
                raise FormattingError(
                    f"Can't find end of {_MD2_NAMES[stack[-1][0]][1]} entity at byte offset "
                    f"{offset}"
                )
            else:
                stack.append((marker, out.pos, out.byte_offset(i)))
            i += len(marker)
            continue
        if char == "[":
            stack.append(("[", out.pos, out.byte_offset(i)))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            if not source.startswith("(", i + 1):
                raise _reserved("]")
            close = _find_unescaped(source, ")", i + 2)
            if close < 0:
                raise FormattingError(
                    f"Can't find end of a URL at byte offset {out.byte_offset(i + 1)}"
                )
            url = re.sub(r"\\(.)", r"\1", source[i + 2 : close])
            _, start, _ = stack.pop()
            out.add("text_link", start, url=url)
            i = close + 1
            continue
        if char in _MD2_RESERVED:
            raise _reserved(char)
        out.emit(char)
        i += 1
    if quote_start is not None:
        out.add("blockquote", quote_start)
    if stack:
        marker, _, offset = stack[-1]
        raise FormattingError(
            f"Can't find end of {_MD2_NAMES[marker][1]} entity at byte offset {offset}"
        )
    return out.result()


def _reserved(char: str) -> FormattingError:
    return FormattingError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _find_unescaped(source: str, needle: str, start: int) -> int:
    i = start
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source.startswith(needle, i):
            return i
        i += 1
    return -1


def _md2_code(source: str, i: int, out: _Builder) -> int:
    fence = "```" if source.startswith("```", i) else "`"
    close = _find_unescaped(source, fence, i + len(fence))
    if close < 0:
        name = "Pre" if fence == "```" else "Code"
        raise FormattingError(
            f"Can't find end of {name} entity at byte offset {out.byte_offset(i)}"
        )
    body = source[i + len(fence) : close]
    extra: JSON = {}
    if fence == "```":
        first, newline, rest = body.partition("\n")
        if newline and first and " " not in first:
            extra["language"] = first
            body = rest
    start = out.pos
    out.emit(re.sub(r"\\([\\`])", r"\1", body))
    out.add("pre" if fence == "```" else "code", start, **extra)
    return close + len(fence)


# --- legacy Markdown -------------------------------------------------------------------------


def parse_markdown(source: str) -> tuple[str, list[JSON]]:
    out = _Builder(source)
    i = 0
    kinds = {"*": "bold", "_": "italic"}
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source) and source[i + 1] in "_*`[":
            out.emit(source[i + 1])
            i += 2
            continue
        if char in "*_`[":
            offset = out.byte_offset(i)
            fence = "```" if source.startswith("```", i) else char
            closing = "]" if char == "[" else fence
            close = source.find(closing, i + len(fence))
            if close < 0:
                raise FormattingError(
                    f"Can't find end of the entity starting at byte offset {offset}"
                )
            body = source[i + len(fence) : close]
            start = out.pos
            out.emit(body)
            if char == "[":
                if source.startswith("(", close + 1) and source.find(")", close + 2) >= 0:
                    end = source.find(")", close + 2)
                    out.add("text_link", start, url=source[close + 2 : end])
                    i = end + 1
                    continue
                i = close + 1
                continue
            out.add(kinds.get(char, "pre" if fence == "```" else "code"), start)
            i = close + len(fence)
            continue
        out.emit(char)
        i += 1
    return out.result()
