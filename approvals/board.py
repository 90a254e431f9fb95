"""The public notice board (公示栏): what the public may read of the notices, how the archive is searched and paged,
and what may be sent from it. Pure: the reads come through ``BoardReader`` (storage/board.py), the writes through
the notice use cases (``NoticeSteps.add_public_input``), so the card's count, the reviewers' message and /hearing
work for what comes from the page exactly as for anything else.

Only a notice's published snapshot is ever read here (approvals/notices.py ``Notice``): the request's contact,
phone, applicant, documents and the bureau's internal notes never reach this module, so no page can show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from approvals import validation as v
from approvals.calendar import WorkCalendar
from approvals.errors import NoOpenNotice
from approvals.notices import COMMENTABLE, Notice, NoticeKind, hearing_window_open
from approvals.public_comments import InputKind, PublicComment

PAGE_SIZE = 20
MAX_OPEN_PAGES = 50  # open notices at once: a district bureau has tens; the pages stop well beyond that
SCAN_LIMIT = 5000  # archive rows one search walks at most; then it offers to go on from where it stopped
MAX_QUERY = 50  # characters of a project or organisation searched for
FEED_SIZE = 50


@dataclass(frozen=True)
class Cursor:
    """Where an archive page continues: below this notice in (opens_on, id) order, newest first."""

    opens_on: date
    id: int

    def token(self) -> str:
        return f"{self.opens_on.isoformat()}.{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """A cursor from a page link; anything malformed is no cursor (the first page), never an error."""
        day, _, number = text.partition(".")
        found = v.parse_number(number, high=v.MAX_ID)
        try:
            opens_on = date.fromisoformat(day) if len(day) == 10 else None
        except ValueError:
            opens_on = None
        return cls(opens_on, found) if opens_on is not None and found is not None else None


@dataclass(frozen=True)
class ArchiveQuery:
    """A search of the closed notices: parts of the project's and organisation's names, the publication dates."""

    project: str = ""
    organisation: str = ""
    published_from: date | None = None
    published_to: date | None = None
    after: Cursor | None = None
    # what the form sent that cannot be searched for: "from"/"to" (not a date), "order" (from after to), "cursor"
    # (a page link that is no page); the page says so rather than quietly searching for something else
    problems: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        project: str = "",
        organisation: str = "",
        published_from: str = "",
        published_to: str = "",
        after: str = "",
    ) -> ArchiveQuery:
        """From what a form sent: texts cleaned and cut to ``MAX_QUERY``, dates read as YYYY-MM-DD; a date that is
        none, a range the wrong way round or a malformed page link is named in ``problems``."""
        start, end = _day(published_from), _day(published_to)
        problems = [
            name
            for name, raw, day in (("from", published_from, start), ("to", published_to, end))
            if raw.strip() and day is None
        ]
        if start is not None and end is not None and start > end:
            problems.append("order")
        cursor = Cursor.parse(after) if after else None
        if after and cursor is None:
            problems.append("cursor")
        return cls(
            project=_term(project),
            organisation=_term(organisation),
            published_from=start,
            published_to=end,
            after=cursor,
            problems=tuple(problems),
        )

    @property
    def is_search(self) -> bool:
        return bool(self.project or self.organisation or self.published_from or self.published_to)


def _term(text: str) -> str:
    return " ".join(v.visible(text).split())[:MAX_QUERY]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ArchivePage:
    items: tuple[Notice, ...]
    next: Cursor | None  # where the next (older) page starts; None: the archive ends here
    scanned_to: date | None  # the search stopped here before filling the page: older ones are searched on request


@dataclass(frozen=True)
class OpenPage:
    items: tuple[Notice, ...]
    page: int
    more: bool


class BoardReader(Protocol):
    """The reads the board needs (storage/board.py): bounded, on indexes, never on the writer's connection."""

    async def notice(self, notice_id: int) -> Notice | None: ...

    async def open_on(self, today: date, kind: NoticeKind | None, *, offset: int, limit: int) -> list[Notice]:
        """Notices open on ``today`` (opens_on <= today <= ends_on), newest first."""
        ...

    async def archive(self, today: date, query: ArchiveQuery, *, limit: int, scan: int) -> ArchivePage:
        """Notices ended before ``today`` that match ``query``, newest publication first, walking at most ``scan``
        rows from ``query.after``."""
        ...

    async def newest(self, limit: int) -> list[Notice]:
        """The notices published last (the feed), newest first."""
        ...

    async def comment_count(self, notice_id: int) -> int: ...


class InputSink(Protocol):
    """Where the public's comments and hearing requests go: the notice use cases."""

    async def add_public_input(
        self, request_id: int, kind: InputKind, *, name: str, contact: str, text: str
    ) -> PublicComment: ...


def working_days_left(calendar: WorkCalendar, today: date, notice: Notice) -> int:
    """Working days of the notice still to run, today included when it is one (its last day: 1); 0 once ended. A
    notice runs from the working day after it is published, so on that day all its days are left."""
    if today > notice.ends_on:
        return 0
    return calendar.working_days_between(max(today - timedelta(days=1), notice.opens_on), notice.ends_on)


def takes_comments(notice: Notice, today: date) -> bool:
    return notice.kind in COMMENTABLE and notice.is_open(today)


def offers_hearing(notice: Notice, today: date) -> bool:
    """A hearing may be requested on the page while the notice of the intended decision runs (art. 47)."""
    return hearing_window_open(notice, today)


@dataclass(frozen=True)
class NoticeBoard:
    """The board's use cases: read the open notices, the archive and one notice; send a comment or hearing request."""

    reader: BoardReader
    sink: InputSink
    calendar: WorkCalendar

    async def open_page(self, today: date, kind: NoticeKind | None, page: int) -> OpenPage:
        """Page ``page`` (from 0); one past the last is empty (the page offers the way back), never page 0."""
        if page < 0 or page >= MAX_OPEN_PAGES:
            return OpenPage((), max(page, 0), False)
        found = await self.reader.open_on(today, kind, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1)
        return OpenPage(tuple(found[:PAGE_SIZE]), page, len(found) > PAGE_SIZE)

    async def archive(self, today: date, query: ArchiveQuery) -> ArchivePage:
        if query.problems:  # nothing is searched for that was not asked for
            return ArchivePage((), None, None)
        return await self.reader.archive(today, query, limit=PAGE_SIZE, scan=SCAN_LIMIT)

    async def notice(self, notice_id: int) -> Notice | None:
        return await self.reader.notice(notice_id)

    async def feed(self) -> Sequence[Notice]:
        return await self.reader.newest(FEED_SIZE)

    async def comment_count(self, notice_id: int) -> int:
        """How many comments the notice drew (its page says so; who wrote them and what stays with the bureau)."""
        return await self.reader.comment_count(notice_id)

    async def send(
        self, notice: Notice, kind: InputKind, today: date, *, name: str, contact: str, text: str
    ) -> PublicComment:
        """Send what the public wrote on ``notice``'s page. Refused (NoOpenNotice) once the notice has closed, on a
        decision announcement, and for a hearing outside an intended decision's notice: the page said so."""
        allowed = offers_hearing(notice, today) if kind is InputKind.HEARING else takes_comments(notice, today)
        if not allowed:
            raise NoOpenNotice(notice.request_id, kind.value)
        return await self.sink.add_public_input(notice.request_id, kind, name=name, contact=contact, text=text)
