"""The written notices (文书) in the chat: their captions, their lines in /status, and copies for /files N.

The documents themselves are the bureau's, in Chinese, whatever the reader's language; what the bot says about
them is translated. Reviewers get the DOCX they edit and print, applicants the PDF (jobs/papers.py sends both
through the outbox).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from handlers.context import AppContext
from paperwork.issued import IssuedPaper
from paperwork.kinds import TITLES, PaperKind
from storage.ports import Outgoing

STATUS_SHOWN = 8  # lines in /status; a request stopped and restarted many times says how many more there are


def caption(kind: PaperKind, request_id: int, extension: str, paper: IssuedPaper | None = None) -> str:
    """A file's caption (a few dozen characters: far within Telegram's 1,024)."""
    text = _("📄 {title} · request #{id} ({format})").format(
        title=TITLES[kind], id=request_id, format=extension.upper()
    )
    return text + " · " + paper.issued_on.isoformat() if paper is not None else text


def status_lines(request_id: int, papers: Sequence[IssuedPaper]) -> list[str]:
    """What /status adds: the documents issued so far, each with its date, and where to get them."""
    if not papers:
        return []
    shown = [f"· {TITLES[p.kind]} {p.issued_on.isoformat()}" for p in papers[-STATUS_SHOWN:]]
    if len(papers) > STATUS_SHOWN:
        shown.insert(0, _("… and {n} earlier").format(n=len(papers) - STATUS_SHOWN))
    head = _("📄 Written notices ({n}), sent as files; again with /files {id}:").format(n=len(papers), id=request_id)
    return [head, *shown]


async def copies(app: AppContext, request_id: int, chat: int, *, staff: bool) -> list[Outgoing]:
    """Every document issued on ``request_id``, for ``chat``: staff get the DOCX, applicants the PDF."""
    extension = "docx" if staff else "pdf"
    out = []
    for paper in await app.repos.papers.of(request_id):
        payload = {"kind": paper.kind.value, "event": paper.event_id, "format": extension}
        out.append(
            Outgoing(
                chat,
                caption(paper.kind, request_id, extension, paper),
                kind="paper",
                request_id=request_id,
                payload=json.dumps(payload),
            )
        )
    return out
