"""Where each key project stands in the EIA procedure (its stage) and since when: what the ledger (台账), the
weekly bulletin and a liaison's /my show.

A project's stage comes from its requests (the most advanced one), the consultations its liaison recorded before
it applied (前期对接), and an admin's or liaison's mark that it needs no EIA. Pure: the caller passes today and the
calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from approvals.calendar import WorkCalendar
from approvals.models import DocumentType, Status


class KeyStage(StrEnum):
    NOT_APPLIED = "not_applied"  # nothing on record yet
    PREPARING = "preparing"  # 前期对接: consultations recorded, no request yet
    RECEIVED = "received"  # 收件: handed in, the completeness check under way (or material listed)
    ACCEPTED = "accepted"  # 受理: in review
    WAITING_MATERIAL = "waiting_material"  # 待补正: accepted, the applicant asked for material (their clock runs)
    CLOCK_STOPPED = "clock_stopped"  # accepted, excluded time (技术评估, 专家评审, 听证): the clock stands still
    IN_NOTICE = "in_notice"  # 拟审批公示
    SIGNING = "signing"  # 签批: the decision awaits its sign-off
    APPROVED = "approved"  # 批复
    REJECTED = "rejected"  # 不予批准: decided, nothing open until the owner applies again
    FILED = "filed"  # 登记表 filed (备案)
    NO_EIA = "no_eia"  # 不纳入环评管理: marked so
    AT_RISK = "at_risk"  # with the bureau and due within RISK_DAYS working days, or past the promise


DONE_STAGES = frozenset({KeyStage.APPROVED, KeyStage.FILED, KeyStage.NO_EIA, KeyStage.REJECTED})
"""Nothing left for the bureau to do: not an open item of a liaison, never red or yellow. A rejection is a
decision: the project stays 不予批准 (with its decision date) until its liaison meets the owner again or a new
request comes in, rather than looking as if it had never applied."""

WITH_THE_BUREAU = frozenset(
    {Status.RECEIVED, Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED, Status.IN_NOTICE, Status.SIGNING}
)
WAITING_ON_APPLICANT = frozenset({Status.NEEDS_INFO, Status.INCOMPLETE})
FINAL = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.RETURNED})


@dataclass(frozen=True)
class KeyRequestFacts:
    """What the stages need of one request naming a key project."""

    request_id: int
    code: str
    status: Status
    document_type: DocumentType
    received_on: date  # the day it was handed in (the first receipt)
    accepted_on: date | None  # None while never accepted (受理)
    status_since: date  # the bureau's local day of its latest step
    promised_due: date
    statutory_due: date
    paused_working_days: int = 0
    notice_on: date | None = None  # the day approval was proposed (拟审批公示 opened)
    decided_on: date | None = None
    approval_number: str | None = None


@dataclass(frozen=True)
class Consultation:
    """A pre-application consultation (前期对接) a liaison recorded."""

    code: str
    held_on: date
    note: str
    by: int


@dataclass(frozen=True)
class ProjectStage:
    stage: KeyStage
    since: date | None  # None: not applied and never consulted (no date to count from)
    request: KeyRequestFacts | None  # the request the stage comes from


def main_request(requests: Sequence[KeyRequestFacts]) -> KeyRequestFacts | None:
    """The request that speaks for the project: an approved one, else the newest undecided one, else the newest."""
    if not requests:
        return None
    approved = [r for r in requests if r.status is Status.APPROVED]
    if approved:
        return max(approved, key=lambda r: r.request_id)
    undecided = [r for r in requests if r.status not in FINAL]
    return max(undecided or requests, key=lambda r: r.request_id)


def project_stage(
    requests: Sequence[KeyRequestFacts],
    consultations: Sequence[Consultation],
    *,
    no_eia_since: date | None,
    today: date,
    risk_cutoff: date,
) -> ProjectStage:
    """The stage of one project and the day it began. ``risk_cutoff``: the last day a deadline may fall on and
    still be at risk (today + RISK_DAYS working days)."""
    if no_eia_since is not None:
        return ProjectStage(KeyStage.NO_EIA, no_eia_since, None)
    request = main_request(requests)
    if request is not None and request.status not in FINAL - {Status.APPROVED}:
        return _from_request(request, risk_cutoff)
    ended = request.status_since if request is not None else None  # a rejected, withdrawn or returned request's end
    if request is not None and request.status is Status.REJECTED:
        later = [c.held_on for c in consultations if ended is None or c.held_on > ended]
        if not later:
            return ProjectStage(KeyStage.REJECTED, request.decided_on or ended, request)
        return ProjectStage(KeyStage.PREPARING, min(later), None)  # the liaison prepares a new application
    # nothing on file with the bureau (a withdrawn or returned request decided nothing): preparing if the liaison
    # has met the owner, else not applied. No request speaks for these: its dates would read as if still open.
    first_talk = min((c.held_on for c in consultations), default=None)
    if first_talk is not None:
        since = max(first_talk, ended) if ended is not None and ended <= today else first_talk
        return ProjectStage(KeyStage.PREPARING, since, None)
    return ProjectStage(KeyStage.NOT_APPLIED, ended, None)


def _from_request(request: KeyRequestFacts, risk_cutoff: date) -> ProjectStage:
    status = request.status
    registration = request.document_type is DocumentType.REGISTRATION
    if status is Status.APPROVED:
        stage = KeyStage.FILED if registration else KeyStage.APPROVED
        return ProjectStage(stage, request.decided_on or request.status_since, request)
    if registration and request.accepted_on is not None:  # a 登记表 is filed when it is accepted
        return ProjectStage(KeyStage.FILED, request.accepted_on, request)
    if status in (Status.RECEIVED, Status.INCOMPLETE):  # material listed before acceptance: still only received
        return ProjectStage(KeyStage.RECEIVED, request.received_on, request)
    if status is Status.NEEDS_INFO:
        return ProjectStage(KeyStage.WAITING_MATERIAL, request.status_since, request)
    if status is Status.EXCLUDED:
        return ProjectStage(KeyStage.CLOCK_STOPPED, request.status_since, request)
    if status in WITH_THE_BUREAU and request.promised_due <= risk_cutoff:
        return ProjectStage(KeyStage.AT_RISK, None, request)  # since: filled in by stage_with_risk_start
    if status is Status.IN_NOTICE:
        return ProjectStage(KeyStage.IN_NOTICE, request.notice_on or request.status_since, request)
    if status is Status.SIGNING:
        return ProjectStage(KeyStage.SIGNING, request.status_since, request)
    return ProjectStage(KeyStage.ACCEPTED, request.accepted_on or request.status_since, request)


def risk_start(request: KeyRequestFacts, calendar: WorkCalendar, risk_days: int) -> date:
    """The first day ``request`` was at risk: ``risk_days`` working days before its promised deadline, counted
    back on the calendar (never before the day it entered its current step, since a deadline moved by a stopped
    clock made it at risk only then)."""
    day = request.promised_due
    left = risk_days
    while left > 0:
        day = date.fromordinal(day.toordinal() - 1)
        if calendar.is_working_day(day):
            left -= 1
    return max(day, request.status_since)


def stage_of(
    requests: Sequence[KeyRequestFacts],
    consultations: Sequence[Consultation],
    *,
    no_eia_since: date | None,
    today: date,
    calendar: WorkCalendar,
    risk_days: int,
) -> ProjectStage:
    """``project_stage`` with the risk window computed from ``risk_days`` and the start of an at-risk stage."""
    cutoff = calendar.add_working_days(today, risk_days)
    found = project_stage(requests, consultations, no_eia_since=no_eia_since, today=today, risk_cutoff=cutoff)
    if found.stage is KeyStage.AT_RISK and found.request is not None:
        return ProjectStage(KeyStage.AT_RISK, risk_start(found.request, calendar, risk_days), found.request)
    return found
