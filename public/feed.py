"""The Atom feed (RFC 4287) of the newest notices.

Written with the standard library's ElementTree, not feedgen: an Atom feed is a dozen elements, ElementTree escapes
every text and attribute it writes, and feedgen would bring lxml (a C library) to write what we never parse. Entry
ids are URNs made from the notice's number, so they stay the same wherever the board is served from."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from approvals.notices import Notice

ATOM = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.UUID("7b0e3c1e-5b52-4f0c-9d8e-2f6a3c1b9a10")  # Green Channel's notices (any fixed UUID)


def entry_id(notice_id: int) -> str:
    return uuid.uuid5(_NAMESPACE, f"notice-{notice_id}").urn


def atom(
    notices: Sequence[Notice],
    *,
    title: str,
    feed_url: str,
    board_url: str,
    notice_url: Callable[[Notice], str],
    entry_title: Callable[[Notice], str],
    summary: Callable[[Notice], str],
    author: str,
) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", uuid.uuid5(_NAMESPACE, "feed").urn)
    _text(feed, "title", title)
    updated = max((n.opened_at for n in notices), default=datetime(2026, 1, 1, tzinfo=UTC))
    _text(feed, "updated", _when(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=board_url, type="text/html")
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", author)
    for notice in notices:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", entry_id(notice.id))
        _text(entry, "title", entry_title(notice))
        _text(entry, "updated", _when(notice.opened_at))
        _text(entry, "published", _when(notice.opened_at))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=notice_url(notice), type="text/html")
        _text(entry, "summary", summary(notice))
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = _xml_safe(value)
    return element


def _xml_safe(value: str) -> str:
    """XML 1.0 cannot hold most control characters even escaped; what the public sent is cleaned of them already,
    this is the last guard for the feed's validity."""
    return "".join(ch for ch in value if (ch in "\t\n\r" or ch >= " ") and not _outside_xml(ch))


def _outside_xml(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff"


def _when(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
