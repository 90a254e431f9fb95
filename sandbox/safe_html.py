"""The bot's messages use Telegram's small HTML subset; the web chat shows exactly that subset and nothing else.

Everything is re-emitted from a parse: allowed tags without attributes (links keep an http(s) href), all text
escaped, anything else dropped. So a project name like ``<script>`` shows as text, as in Telegram.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "blockquote", "a"}


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.out.append(f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">')
            else:
                self.out.append("<a>")
        elif tag == "tg-spoiler" or (tag == "span" and ("class", "tg-spoiler") in attrs):
            self.out.append('<span class="spoiler">')
        elif tag in ALLOWED:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ALLOWED:
            self.out.append(f"</{tag}>")
        elif tag in ("tg-spoiler", "span"):
            self.out.append("</span>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data))


def clean(telegram_html: str) -> str:
    cleaner = _Cleaner()
    cleaner.feed(telegram_html)
    cleaner.close()
    return "".join(cleaner.out)
