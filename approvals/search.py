"""Finding requests: what counts as the same project, and what a reviewer's /find looks for."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from approvals import validation as v
from approvals.models import ApprovalRequest, Status

MAX_FIND_CHARS = 64  # longer than any name a reviewer types; checked before anything is parsed
FIND_LIMIT = 10  # results shown at once; more means "refine"
_BLANKS = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """A project name as people mean it: full-width and half-width alike, case and spacing ignored."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", name)).casefold()


def open_duplicate(
    project_name: str, requests: Iterable[ApprovalRequest], *, client_key: str | None = None
) -> ApprovalRequest | None:
    """The applicant's not yet decided request for the same project, if any (the newest).

    Waiting for material (补正) counts as not decided. The request this very form made (same ``client_key``: a
    second press of Submit) is not a duplicate of itself."""
    wanted = normalise_name(project_name)
    same = [
        r
        for r in requests
        if not r.is_final
        and normalise_name(r.project_name) == wanted
        and (client_key is None or r.client_key != client_key)
    ]
    return max(same, key=lambda r: r.id, default=None)


@dataclass(frozen=True)
class FindQuery:
    """What /find looks for: a request number, statuses, or text in the project, organisation or applicant's name.

    ``text`` is searched as well when a number is given: "2026" may be a request number or part of a name; and when
    it is only part of a status's name ("批复", "material"): it may be part of a project's name too."""

    text: str
    number: int | None = None
    statuses: tuple[Status, ...] = ()


def parse_find(text: str, status_words: Mapping[str, Status]) -> FindQuery | None:
    """The query in ``text``; None when there is nothing to look for.

    ``status_words`` maps each way of naming a status (the labels in every language, the codes) to it; the words
    belong to the front end, the rule that a whole query naming a status means "requests in that status" here."""
    if len(text) > MAX_FIND_CHARS * 4:  # far too long to be a query: refused before any work
        raise v.InvalidField("query", "too_long", max=MAX_FIND_CHARS)
    cleaned = _BLANKS.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_FIND_CHARS:
        raise v.InvalidField("query", "too_long", max=MAX_FIND_CHARS)
    words = {normalise_name(word): status for word, status in status_words.items()}
    wanted = normalise_name(cleaned)
    status = words.get(wanted)
    if status is not None:
        return FindQuery(text="", statuses=(status,))
    if len(wanted) >= (3 if wanted.isascii() else 2):  # "已" or "re" would name nearly every status
        partly = {status for word, status in words.items() if wanted in word}
        if partly:
            return FindQuery(text=cleaned, statuses=tuple(s for s in Status if s in partly))
    number = v.parse_number(cleaned.removeprefix("#").strip(), high=v.MAX_REQUEST_NUMBER)
    text_part = cleaned if number is None or not cleaned.startswith("#") else ""
    return FindQuery(text=text_part, number=number)


@dataclass(frozen=True)
class FindResult:
    query: FindQuery
    items: list[ApprovalRequest]
    more: bool  # more may match than are shown: the reviewer should refine the query


def merge_found(
    number_hit: ApprovalRequest | None, found: Iterable[ApprovalRequest], limit: int
) -> tuple[list[ApprovalRequest], bool]:
    """The request with that number first, then the others newest first, each once; at most ``limit`` of them,
    and whether some were left out."""
    unique = {r.id: r for r in found}
    if number_hit is not None:
        unique.pop(number_hit.id, None)
    items = ([number_hit] if number_hit else []) + sorted(unique.values(), key=lambda r: r.id, reverse=True)
    return items[:limit], len(items) > limit
