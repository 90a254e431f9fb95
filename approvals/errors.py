"""Domain errors. Each carries a message key and parameters so any front end can translate it."""

from __future__ import annotations

from datetime import date
from typing import Any


class DomainError(Exception):
    """Base class: ``key`` names the message in the catalogue, ``params`` fill it in."""

    key = "error.domain"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.params = params


class InvalidTransition(DomainError):
    key = "error.invalid_transition"

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"cannot {action} a request that is {status}", status=status, action=action)
        self.status = status
        self.action = action


class ReasonRequired(DomainError):
    key = "error.reason_required"

    def __init__(self, action: str) -> None:
        super().__init__(f"{action} needs a reason", action=action)


class AlreadyDecided(DomainError):
    """Someone else changed the request first (double press or two reviewers racing)."""

    key = "error.already_decided"

    def __init__(self, request_id: int, status: str, by: int | None, by_name: str = "", action: str = "") -> None:
        super().__init__(f"request {request_id} is already {status}", request_id=request_id, status=status, by=by)
        self.request_id = request_id
        self.status = status
        self.by = by
        self.by_name = by_name
        self.action = action  # what was refused ("" when not known)


class NotFound(DomainError):
    key = "error.not_found"

    def __init__(self, request_id: int) -> None:
        super().__init__(f"request {request_id} not found", request_id=request_id)


class Forbidden(DomainError):
    key = "error.forbidden"

    def __init__(self, action: str) -> None:
        super().__init__(f"not allowed to {action}", action=action)


class NotClaimant(DomainError):
    """A reviewer tried to decide or release a request another reviewer has claimed."""

    key = "error.not_claimant"

    def __init__(self, request_id: int, claimed_by: int, by_name: str = "") -> None:
        super().__init__(
            f"request {request_id} is claimed by {claimed_by}", request_id=request_id, claimed_by=claimed_by
        )
        self.claimed_by = claimed_by
        self.by_name = by_name


class SelfReview(DomainError):
    """A reviewer tried to claim or decide a request they submitted themselves: a colleague must review it."""

    key = "error.self_review"

    def __init__(self, request_id: int) -> None:
        super().__init__(f"request {request_id} was submitted by the reviewer", request_id=request_id)
        self.request_id = request_id


class NotAReviewer(DomainError):
    """A claim was to be handed to someone who is not a reviewer (or is the request's applicant)."""

    key = "error.not_a_reviewer"

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} cannot review this request", user_id=user_id)
        self.user_id = user_id


class SameProjectOpen(DomainError):
    """The applicant already has an undecided request for this project: submitting again needs their say-so."""

    key = "error.same_project_open"

    def __init__(self, request_id: int, status: str) -> None:
        super().__init__(f"request {request_id} for this project is {status}", request_id=request_id, status=status)
        self.request_id = request_id
        self.status = status


class LedgerImportError(DomainError):
    """A key-project file had bad rows; nothing was imported. ``more``: bad rows counted but not listed."""

    key = "error.ledger_import"

    def __init__(self, problems: list[RowProblem], *, more: int = 0) -> None:
        # rows and problem keys only: the cells are the uploader's text, kept in ``params`` for the report
        lines = "; ".join(f"row {p.row}: {p.problem}" for p in problems)
        super().__init__(f"{len(problems) + more} bad row(s): {lines}", count=len(problems) + more)
        self.problems = problems
        self.more = more


class RowProblem:
    """One bad row of an imported file (row 0: the file as a whole); ``problem`` is a message key."""

    def __init__(self, row: int, problem: str, **params: Any) -> None:
        self.row = row
        self.problem = problem
        self.params = params

    def __repr__(self) -> str:
        return f"RowProblem({self.row}, {self.problem!r}, {self.params})"


class NotYetAccepted(DomainError):
    """A decision, claim or request for information on a request not accepted (受理): the law forbids it."""

    key = "error.not_yet_accepted"

    def __init__(self, request_id: int, status: str, action: str) -> None:
        super().__init__(f"request {request_id} is {status}, not accepted", request_id=request_id, action=action)
        self.request_id = request_id
        self.status = status
        self.action = action


class PeriodNotOver(DomainError):
    """A step the bot takes when a period runs out, asked for before it has (``until``: its last day)."""

    key = "error.period_not_over"

    def __init__(self, action: str, until: date) -> None:
        super().__init__(f"{action} only after {until}", action=action, until=until)
        self.action = action
        self.until = until


class PeriodOver(DomainError):
    """A step whose period has ended: the completeness check after its 5 working days (the request is deemed
    accepted as of receipt), the applicant's material after the completion period (the request is returned)."""

    key = "error.period_over"

    def __init__(self, action: str, until: date) -> None:
        super().__init__(f"the period for {action} ended on {until}", action=action, until=until)
        self.action = action
        self.until = until


class ListAlreadySent(DomainError):
    """One list of missing material per receipt (一次性告知): another only after the applicant changed the file."""

    key = "error.list_already_sent"

    def __init__(self, request_id: int, listed_on: date | None) -> None:
        super().__init__(f"request {request_id} already had its list on {listed_on}", request_id=request_id)
        self.request_id = request_id
        self.listed_on = listed_on


class ProposeFirst(DomainError):
    """Approval needs its public notice first (拟审批公示): propose it, then decide once the notice has run."""

    key = "error.propose_first"

    def __init__(self, request_id: int) -> None:
        super().__init__(f"request {request_id}: propose approval first (public notice)", request_id=request_id)
        self.request_id = request_id


class NoticeRunning(DomainError):
    """A notice that must run first has not ended yet (``until``: its last day): the intended decision's before
    approval, the acceptance notice's (``kind`` "acceptance") before approval is proposed."""

    key = "error.notice_running"

    def __init__(self, request_id: int, until: date, kind: str = "intended_decision") -> None:
        super().__init__(
            f"request {request_id}: the {kind} notice ends on {until}", request_id=request_id, until=until, kind=kind
        )
        self.request_id = request_id
        self.until = until
        self.kind = kind


class HearingRequested(DomainError):
    """A hearing request (art. 47) is open: no decision until it is recorded closed."""

    key = "error.hearing_requested"

    def __init__(self, request_id: int, count: int) -> None:
        super().__init__(f"request {request_id}: {count} hearing request(s) open", request_id=request_id)
        self.request_id = request_id
        self.count = count


class NoOpenNotice(DomainError):
    """A comment or hearing request for a request with no notice open that takes one."""

    key = "error.no_open_notice"

    def __init__(self, request_id: int, kind: str) -> None:
        super().__init__(f"request {request_id}: no open notice takes a {kind}", request_id=request_id, kind=kind)
        self.request_id = request_id
        self.kind = kind
