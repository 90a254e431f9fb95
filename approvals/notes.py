"""Internal notes: reviewers write down what the applicant need not see (a call made, a site visit planned)."""

from __future__ import annotations

from dataclasses import dataclass

from approvals import validation as v
from approvals.errors import NotFound, SelfReview
from approvals.models import Actor, ApprovalRequest, Note
from approvals.ports import ApprovalStore, Clock, NoteStore
from approvals.service import ensure_reviewer

MAX_SHOWN = 200  # the latest notes a reader is shown; a request with more is a conversation for elsewhere


@dataclass(frozen=True)
class NotesService:
    requests: ApprovalStore
    notes: NoteStore
    clock: Clock

    async def add(self, actor: Actor, request_id: int, text: str) -> int:
        """Add a note; returns how many the request has now. Its cards are redrawn with the new count."""
        request = await self._readable(actor, request_id, "add_note")
        note = Note(
            request_id=request.id,
            author_id=actor.user_id,
            author_name=actor.name,
            at=self.clock.now(),
            text=v.clean_text("note", text),
        )
        return await self.notes.add(note)

    async def read(self, actor: Actor, request_id: int) -> list[Note]:
        await self._readable(actor, request_id, "read_notes")
        return await self.notes.of(request_id, limit=MAX_SHOWN)

    async def _readable(self, actor: Actor, request_id: int, what: str) -> ApprovalRequest:
        """Reviewers only, and not on a request they submitted: notes are the reviewers' talk about the applicant."""
        ensure_reviewer(actor, what)
        request = await self.requests.get(request_id)
        if request is None:
            raise NotFound(request_id)
        if request.applicant_id == actor.user_id:
            raise SelfReview(request_id)
        return request
