"""Domain errors. Each carries a message key and parameters so any front end can translate it."""

from __future__ import annotations

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

    def __init__(self, request_id: int, status: str, by: int | None) -> None:
        super().__init__(f"request {request_id} is already {status}", request_id=request_id, status=status, by=by)
        self.request_id = request_id
        self.status = status
        self.by = by


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

    def __init__(self, request_id: int, claimed_by: int) -> None:
        super().__init__(
            f"request {request_id} is claimed by {claimed_by}", request_id=request_id, claimed_by=claimed_by
        )
        self.claimed_by = claimed_by


class LedgerImportError(DomainError):
    """A key-project file had bad rows; nothing was imported."""

    key = "error.ledger_import"

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        lines = "; ".join(f"row {row}: {msg}" for row, msg in problems)
        super().__init__(f"{len(problems)} bad row(s): {lines}", count=len(problems))
        self.problems = problems
