"""Values to SQLite text and back. Timestamps are fixed-width UTC so text order is time order."""

from __future__ import annotations

from datetime import UTC, date, datetime

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def stamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime: the domain only uses timezone-aware times")
    # isoformat is several times faster than strftime and gives the same text: one stamp per update is written
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def unstamp(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=UTC)


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def unday(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def must_day(text: str) -> date:
    return date.fromisoformat(text)
