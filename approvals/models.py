"""What an EIA approval request is: its fields, categories, lanes and statuses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from approvals import validation as v
from approvals.quota_claim import QuotaClaim


class Category(StrEnum):
    LIVELIHOOD = "livelihood"  # 民生工程
    INFRASTRUCTURE = "infrastructure"  # 基础设施
    ENERGY_SAVING = "energy_saving"  # 节能减排
    OTHER = "other"


GREEN_CATEGORIES = frozenset({Category.LIVELIHOOD, Category.INFRASTRUCTURE, Category.ENERGY_SAVING})


class DocumentType(StrEnum):
    REPORT = "report"  # 环境影响报告书
    REPORT_FORM = "report_form"  # 环境影响报告表
    REGISTRATION = "registration"  # 环境影响登记表 (a filing)


class Lane(IntEnum):
    """Queue lanes; the value is the rank (lower goes first)."""

    KEY = 0
    GREEN = 1
    STANDARD = 2


class Status(StrEnum):
    RECEIVED = "received"  # 收件: handed in, the completeness check (art. 32) not yet done
    INCOMPLETE = "incomplete"  # 一次性告知补正: the list of missing material sent, waiting for the applicant
    RETURNED = "returned"  # 退件: the listed material did not come in time; nothing is deleted
    SUBMITTED = "submitted"  # 受理
    IN_REVIEW = "in_review"
    NEEDS_INFO = "needs_info"  # 补正
    RESUBMITTED = "resubmitted"
    IN_NOTICE = "in_notice"  # 拟审批公示: approval proposed, its notice of the intended decision running
    SIGNING = "signing"  # 签批: a reviewer's proposed decision awaits the sign-off chain's next signature
    EXCLUDED = "excluded"  # art. 45: the clock stopped for a technical assessment, expert review or hearing
    APPROVED = "approved"  # 批复
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = frozenset({Status.RECEIVED, Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW, Status.IN_NOTICE})
"""Waiting on the bureau: these make up the backlog and the queue (a received request for its completeness check)."""
FINAL_STATUSES = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.RETURNED})
NOT_ACCEPTED = frozenset({Status.RECEIVED, Status.INCOMPLETE, Status.RETURNED})
"""Never accepted (受理): the law allows no decision on these, and their legal clock has not started."""


class Role(StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"  # 经办: handles requests and proposes decisions
    ADMIN = "admin"
    CHIEF = "chief"  # 审核: a section chief who checks a proposal in the sign-off chain
    DIRECTOR = "director"  # 签发: the director (or deputy) who signs the decision off


STAFF_ROLES = frozenset({Role.REVIEWER, Role.ADMIN, Role.CHIEF, Role.DIRECTOR})
"""The bureau's people: they read the queue, requests and their documents (signers must see what they sign)."""
SIGN_OFF_ROLES = (Role.CHIEF, Role.DIRECTOR)  # what ``/reviewers add ID chief|director`` gives


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # what a Telegram bot may download
MAX_DRAFT_DOCUMENTS = 30  # one form's or one reply's documents: each is a button and a line on the screen
SHA256_HEX = r"^[0-9a-f]{64}$"
BOT_ACTOR_ID = 0  # who takes the steps the bot takes by itself (keeping the bureau's copy of a document)
MAX_NAME_LENGTH = 129  # a Telegram first and last name, 64 characters each
ALLOWED_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".zip"})


def _rule(check: Any) -> Any:
    return AfterValidator(check)


def _text(field: str) -> Any:
    return AfterValidator(lambda value: v.clean_text(field, value))


def check_attachment_name(name: str) -> str:
    """Only the document formats the bureau accepts."""
    lowered = name.lower()
    if not any(lowered.endswith(ext) for ext in ALLOWED_EXTENSIONS):
        raise v.InvalidField("attachment", "bad_type", allowed=" ".join(sorted(ALLOWED_EXTENSIONS)))
    return name


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    file_id: str = Field(min_length=1, max_length=256)
    # shown to reviewers: "invoice\u202eexe.pdf" would read "invoicefdp.exe"
    name: Annotated[
        str, Field(min_length=1, max_length=255), AfterValidator(v.clean_name), AfterValidator(check_attachment_name)
    ]
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)
    mime: str = Field(default="application/octet-stream", max_length=127)
    unique_id: str | None = Field(default=None, max_length=64)  # Telegram's: the same file sent again has it too
    uploaded_at: datetime | None = None  # when the bot received it (None: before the bureau recorded it)
    sha256: str | None = Field(default=None, pattern=SHA256_HEX)  # of the bytes checked at receipt


class RequestDraft(BaseModel):
    """What an applicant submits. Every field is validated by the same rule a chat form uses."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    project_name: Annotated[str, _text("project_name")]
    organisation: Annotated[str, _text("organisation")]
    contact_name: Annotated[str, _text("contact_name")]
    phone: Annotated[str, _rule(v.clean_phone)]
    category: Category
    document_type: DocumentType
    investment: Annotated[Decimal, BeforeValidator(v.clean_investment)]
    location: Annotated[str, _text("location")]
    description: Annotated[str, _text("description")]
    key_code: Annotated[str | None, AfterValidator(lambda c: None if c is None else v.clean_key_code(c))] = None
    attachments: tuple[Attachment, ...] = ()
    # 环评单位: optional (requests before schema 19 have none); published with the request's notices
    eia_firm: Annotated[str | None, AfterValidator(lambda c: None if c is None else v.clean_text("eia_firm", c))] = None
    # new discharge and its quota's source (总量控制); stored beside the request, read with QuotaStore.claim_of:
    # a request read back from storage has None here
    quota: QuotaClaim | None = None


class ApprovalRequest(RequestDraft):
    """A stored request: the draft plus what the bureau's process adds."""

    id: int
    applicant_id: int
    lane: Lane
    status: Status = Status.SUBMITTED
    version: int = 1
    submitted_at: datetime
    # while not yet accepted: the day it would be deemed accepted as of (its receipt), deadlines counted from it
    accepted_on: date
    received_on: date | None = None  # the working day of receipt (of the supplied material, after a list)
    listed_on: date | None = None  # the day the list of missing material (一次性告知) went out
    listed_documents: int | None = None  # documents on file then: a second list needs the file to have changed
    updated_at: datetime
    claimed_by: int | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    decided_on: date | None = None  # the bureau's local date of the decision, for daily counts
    approval_number: str | None = None
    last_reason: str | None = None
    paused_since: date | None = None
    paused_working_days: int = 0
    promised_due: date
    statutory_due: date
    client_key: str | None = None  # the form it came from: a repeated submit of one form is one request
    # while SIGNING (approvals/sign_off.py): the decision proposed ("approve" or "reject"; a rejection's reason is
    # ``last_reason``) and the place in APPROVAL_CHAIN whose signature is awaited (1 = the second role)
    signing_decision: str | None = None
    signing_step: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class AuditEvent(BaseModel):
    """One transition, as the append-only audit log records it."""

    model_config = ConfigDict(frozen=True)

    request_id: int
    actor_id: int
    at: datetime
    actor_name: str = ""
    action: str
    from_status: Status | None
    to_status: Status
    reason: str | None = None
    approval_number: str | None = None  # what an approval or a correction set (a revocation: what it annulled)
    target_id: int | None = None  # the other reviewer the step is about: a reassignment's new holder, a forced
    target_name: str = ""  # release's old one
    file_name: str = ""  # the document a step is about (the bureau's own copy kept): its name, hash and size
    sha256: str | None = None
    file_size: int | None = None


class Note(BaseModel):
    """An internal note on a request: for the bureau's reviewers, never shown to the applicant."""

    model_config = ConfigDict(frozen=True)

    request_id: int
    author_id: int
    author_name: str = ""
    at: datetime
    text: str


class Actor(BaseModel):
    """Who is acting, with the roles the bureau gave them (checked on every action)."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    name: Annotated[str, AfterValidator(lambda name: v.clean_name(name)[:MAX_NAME_LENGTH])] = ""  # stored, shown
    roles: frozenset[Role] = frozenset({Role.APPLICANT})
    locale: str | None = None  # the language the person chose, if any

    @property
    def is_reviewer(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles
