"""Written notices (文书) from the steps that issue them: gathered, rendered once, archived, sent as files.

When the sender expands a step's event (jobs/sender.py), ``outgoing`` adds one row for the applicant's PDF, its
fields gathered from the step then and frozen in the row (the expansion is one transaction: the row exists
exactly when the event's other messages do). When that row goes out, ``send`` renders the document unless this
request, kind and step has one already — in a confined child (paperwork/child.py), bounded in memory and time —
keeps both files in the archive (FILES_DIR, by SHA-256) and records them with their hashes in the audit log, then
uploads the PDF. A row sent again after a crash (delivery is at least once) finds the document on record and
sends the same bytes; a render repeated before the record was written gives the same bytes too (rendering is
deterministic) and the register keeps the first. Copies on request (/files N): handlers/papers.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from datetime import datetime
from pathlib import Path

from aiogram import Bot
from aiogram.types import BufferedInputFile

from approvals import clock_stops, completeness
from approvals.clock_stops import StopKind
from approvals.models import ApprovalRequest, AuditEvent, DocumentType
from approvals.notices import LAWSUIT_MONTHS, REVIEW_DAYS
from handlers import papers as paper_texts
from handlers.context import AppContext
from paperwork import PaperFields, PaperKind, chinese_date, kind_for
from paperwork.child import job
from paperwork.fields import chinese_due, clean_items
from paperwork.issued import IssuedPaper
from storage.ports import Blobs, Outgoing
from untrusted.confined import Limits, run_confined

log = logging.getLogger(__name__)
# measured: ~115 MB peak and 2-4 s of CPU for a one-page notice (most of it reading and subsetting the font)
LIMITS = Limits(memory_bytes=768 << 20, cpu_seconds=60, wall_seconds=120.0, input_bytes=1 << 20)
MAX_FILE_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = {
    DocumentType.REPORT: "环境影响报告书",
    DocumentType.REPORT_FORM: "环境影响报告表",
    DocumentType.REGISTRATION: "环境影响登记表",
}
STOP_KINDS = {StopKind.TECHNICAL_ASSESSMENT: "技术评估", StopKind.EXPERT_REVIEW: "专家评审", StopKind.HEARING: "听证"}


class PaperFailed(Exception):
    """The document cannot be made (the template makes it too long, its files are gone): not worth retrying."""


class PaperNotReady(Exception):
    """The document is being rendered: the row waits (its chat's later messages behind it), the others go on."""


Key = tuple[int, PaperKind, int]  # request, kind, step


class PaperDesk:
    def __init__(
        self, app: AppContext, blobs: Blobs, bureau: str, templates_dir: Path | None = None, limits: Limits = LIMITS
    ) -> None:
        self.app = app
        self.blobs = blobs
        self.bureau = bureau
        self.templates_dir = templates_dir
        self.limits = limits
        # renders run beside the sender, never inside its pass: seconds of a child's work must not hold up every
        # other chat's messages. One at a time: the machine's cores are the bot's too.
        self._rendering: dict[Key, asyncio.Task[IssuedPaper]] = {}
        self._one_at_a_time = asyncio.Semaphore(1)

    async def stop(self) -> None:
        """Renders cut short here leave nothing on record: the row is still pending, the next start renders it."""
        for task in self._rendering.values():
            task.cancel()
        for task in self._rendering.values():
            with contextlib.suppress(BaseException):
                await task
        self._rendering.clear()

    async def outgoing(self, event: AuditEvent, event_id: int) -> list[Outgoing]:
        """The applicant's copy of the document ``event`` issues, if it issues one."""
        kind = kind_for(event.action)
        request = await self.app.repos.requests.get(event.request_id)
        if kind is None or request is None:
            return []
        try:
            fields = await self.fields(kind, request, event)
        except Exception:  # a defect here must not hold up every other notice of the pass: logged loudly
            log.exception("written notice not issued request_id=%d kind=%s event_id=%d", request.id, kind, event_id)
            return []
        payload = {"kind": kind.value, "event": event_id, "format": "pdf", "fields": fields.to_json()}
        payload["created"] = event.at.isoformat()
        chat = request.applicant_id
        with self.app.i18n.context(), self.app.i18n.use_locale(await self.app.locale_for_chat(chat)):
            caption = paper_texts.caption(kind, request.id, "pdf")
        return [Outgoing(chat, caption, kind="paper", request_id=request.id, payload=json.dumps(payload))]

    async def send(self, bot: Bot, m: Outgoing) -> None:
        """Upload the file an outbox row names, issuing its document first if this is its first sending."""
        data = json.loads(m.payload or "{}")
        kind, event_id, extension = PaperKind(data["kind"]), int(data["event"]), str(data["format"])
        request_id = m.request_id or 0
        paper = await self.app.repos.papers.get(request_id, kind, event_id)
        if paper is None:
            if "fields" not in data:
                raise PaperFailed(f"no document {kind} for event {event_id}")
            paper = self._rendered((request_id, kind, event_id), PaperFields.from_json(data["fields"]), data)
        sha = paper.docx_sha256 if extension == "docx" else paper.pdf_sha256
        try:
            content = await asyncio.to_thread(self.blobs.read, sha, limit=MAX_FILE_BYTES)
        except (FileNotFoundError, ValueError) as exc:
            raise PaperFailed(f"{paper.file_name(extension)} is not in the archive: {exc}") from exc
        await bot.send_document(m.chat_id, BufferedInputFile(content, paper.file_name(extension)), caption=m.text)

    def _rendered(self, key: Key, fields: PaperFields, data: dict[str, object]) -> IssuedPaper:
        """The document once its render is done; ``PaperNotReady`` while it runs (started here if it is not), the
        render's own failure once (WorkerFailed: tried again; PaperFailed: given up)."""
        task = self._rendering.get(key)
        if task is None:
            task = asyncio.create_task(self._issue_then_wake(*key, fields, data), name=f"paper-{key[0]}-{key[1]}")
            self._rendering[key] = task
        if not task.done():
            raise PaperNotReady
        del self._rendering[key]
        return task.result()

    async def _issue_then_wake(
        self, request_id: int, kind: PaperKind, event_id: int, fields: PaperFields, data: dict[str, object]
    ) -> IssuedPaper:
        try:
            async with self._one_at_a_time:
                paper = await self.issue(request_id, kind, event_id, fields, data)
        except asyncio.CancelledError:
            raise  # stopping: nothing to wake
        except Exception:
            self.app.repos.outbox.poke()  # the row waiting for it learns of the failure at once
            raise
        self.app.repos.outbox.poke()  # the row waiting for it goes at once
        return paper

    async def issue(
        self, request_id: int, kind: PaperKind, event_id: int, fields: PaperFields, data: dict[str, object]
    ) -> IssuedPaper:
        created = datetime.fromisoformat(str(data["created"]))
        # WorkerFailed (the machine too busy, the child killed) propagates: the sender tries again, backing off
        answer = await run_confined("paperwork.child", [], job(kind, fields, created, self.templates_dir), self.limits)
        if "error" in answer:
            raise PaperFailed(str(answer["error"]))
        docx, pdf = base64.b64decode(answer["docx"]), base64.b64decode(answer["pdf"])
        docx_sha, _new = await asyncio.to_thread(self.blobs.keep, docx)
        pdf_sha, _new = await asyncio.to_thread(self.blobs.keep, pdf)
        paper = IssuedPaper(
            request_id=request_id,
            kind=kind,
            event_id=event_id,
            title=str(answer["title"])[:200],
            issued_on=created.astimezone(self.app.tz).date(),
            docx_sha256=docx_sha,
            docx_size=len(docx),
            pdf_sha256=pdf_sha,
            pdf_size=len(pdf),
        )
        stored = await self.app.repos.papers.record(paper, self.app.approvals.clock.now())
        log.info("written notice issued request_id=%d kind=%s event_id=%d pdf=%s", request_id, kind, event_id, pdf_sha)
        return stored

    async def fields(self, kind: PaperKind, request: ApprovalRequest, event: AuditEvent) -> PaperFields:
        """What the document says, as the step left things (read when its event is expanded, then frozen)."""
        tz, calendar, policy = self.app.tz, self.app.approvals.calendar, self.app.approvals.policy
        legal, promised = request.statutory_due, request.promised_due
        stop_kind = stop_days = stop_until = ""
        if kind is PaperKind.SPECIAL_PROCEDURE:
            started = [s for s in await self.app.repos.requests.clock_stops_of(request.id) if s.started_at <= event.at]
            if started:
                opened = started[-1]
                stop_kind, stop_days, stop_until = (
                    STOP_KINDS[opened.kind],
                    str(opened.days),
                    chinese_due(opened.expected_end, calendar),
                )
                if (moved := clock_stops.projected(request, opened, calendar, policy)) is not None:
                    legal, promised = moved.statutory, moved.promised
        supply = ""
        if kind in (PaperKind.COMPLETION, PaperKind.NOT_ACCEPTED):
            supply = chinese_due(completeness.supply_due(request, calendar, policy), calendar)
        return PaperFields(
            bureau=self.bureau,
            request_id=str(request.id),
            date=chinese_date(event.at.astimezone(tz).date()),
            project=request.project_name,
            organisation=request.organisation,
            document_type=DOCUMENT_TYPES.get(request.document_type, ""),
            location=request.location,
            received_on=chinese_date(request.submitted_at.astimezone(tz).date()),
            accepted_on=chinese_date(request.accepted_on),
            legal_due=chinese_due(legal, calendar),
            promised_due=chinese_due(promised, calendar),
            approval_number=event.approval_number or request.approval_number or "",
            reason="" if kind is PaperKind.COMPLETION else (event.reason or ""),  # a list is printed as items
            supply_due=supply,
            stop_kind=stop_kind,
            stop_days=stop_days,
            stop_until=stop_until,
            review_days=str(REVIEW_DAYS),
            lawsuit_months=str(LAWSUIT_MONTHS),
            items=clean_items(event.reason or "") if kind is PaperKind.COMPLETION else (),
        )
