"""Requests and steps for the approval store's contract: built here as the domain would hand them to ``add`` and
``apply``, so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.models import ApprovalRequest, AuditEvent, Lane, Status
from approvals.ports import Clock
from approvals.service import ApprovalService
from tests.conftest import SHANGHAI, FakeClock
from tests.factories import make_draft

if TYPE_CHECKING:
    from tests.storage.contract.conftest import Backend

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
DRAFT = set(make_draft().model_dump())  # the draft's fields; the rest of ``draft_request``'s are the request's


def draft_request(*, status: Status = Status.SUBMITTED, applicant: int = 101, **fields: Any) -> ApprovalRequest:
    """A request as ``ApprovalService.submit`` builds it; ``fields`` of the draft or of the request."""
    request_fields = {k: fields.pop(k) for k in list(fields) if k in ApprovalRequest.model_fields and k not in DRAFT}
    due = request_fields.pop("promised_due", date(2026, 12, 14))
    return ApprovalRequest(
        **make_draft(**fields).model_dump(),
        **{
            "id": 0,
            "applicant_id": applicant,
            "lane": Lane.GREEN,
            "status": status,
            "submitted_at": AT,
            "updated_at": AT,
            "accepted_on": date(2026, 11, 30),
            "promised_due": due,
            "statutory_due": due + timedelta(days=28),
            **request_fields,
        },
    )


def submitted(request: ApprovalRequest) -> AuditEvent:
    return AuditEvent(
        request_id=0,
        actor_id=request.applicant_id,
        at=request.submitted_at,
        action="submit",
        from_status=None,
        to_status=request.status,
    )


def step(
    request: ApprovalRequest, action: str, to: Status, *, actor: int = 201, minutes: int = 1, **changes: Any
) -> tuple[ApprovalRequest, AuditEvent]:
    """The request after one step (its version one on) and the step's audit event."""
    at = request.updated_at + timedelta(minutes=minutes)
    updated = request.model_copy(update={"status": to, "version": request.version + 1, "updated_at": at, **changes})
    event = AuditEvent(
        request_id=request.id, actor_id=actor, at=at, action=action, from_status=request.status, to_status=to
    )
    return updated, event


def service_over(backend: Backend, calendar: WorkCalendar, clock: Clock | None = None) -> ApprovalService:
    """The use cases over one instance's repositories, without a notice store (not on PostgreSQL yet): every step
    but those that open a public notice (proposing approval, deciding)."""
    return ApprovalService(
        requests=backend.requests,
        key_projects=backend.key_projects,
        calendar=calendar,
        policy=DeadlinePolicy(),
        clock=clock or FakeClock(AT),
        tz=SHANGHAI,
    )
