"""Telegram's HTML parse mode, strictly enough to catch unescaped user text, and its way of counting length."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)


class EntityError(ValueError):
    """Worded like Telegram's 'Bad Request: can't parse entities: ...'."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def plain_text(html: str) -> str:
    """The text a user sees; raises EntityError where Telegram would refuse the message."""
    if "<" in html.replace("&lt;", ""):
        # a '<' that does not start a tag Telegram knows is a parse error, not text
        for chunk in html.split("<")[1:]:
            if not chunk or not (chunk[0].isalpha() or chunk[0] == "/"):
                raise EntityError("Unexpected '<' (use &lt;)")
    parser = _Parser()
    parser.feed(html)
    parser.close()
    if parser.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it for its limits: UTF-16 code units (a character outside the Basic Multilingual
    Plane, such as most emoji, counts two)."""
    return len(text.encode("utf-16-le")) // 2
