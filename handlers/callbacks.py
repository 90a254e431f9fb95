"""Typed callback data. Ids and enum values only: never user text, always under Telegram's 64 bytes.

A client can send any data with a button press. Ids and pages are read as ASCII digits within range (pydantic
alone would take "+1", "1_0" or 2^64, and SQLite overflows on the last), so such data matches no filter;
``is_forged`` then tells it apart from a merely stale button.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator, Field

from approvals.validation import MAX_ID, MAX_REQUEST_NUMBER, parse_number


def _digits(low: int, high: int) -> BeforeValidator:
    def check(value: object) -> object:
        if not isinstance(value, str):
            return value  # built by our own code; Field's bounds check it
        number = parse_number(value, low=low, high=high)
        if number is None:
            raise ValueError("not a number in range")  # the value itself stays out of the message
        return number

    return BeforeValidator(check)


Id = Annotated[int, _digits(1, MAX_ID), Field(ge=1, le=MAX_ID)]
Page = Annotated[int, _digits(0, MAX_REQUEST_NUMBER), Field(ge=0, le=MAX_REQUEST_NUMBER)]


class ReviewAction(StrEnum):
    CLAIM = "c"
    RELEASE = "l"
    APPROVE = "a"
    APPROVE_NOW = "an"  # approve without an approval number
    INFO = "i"
    REJECT = "r"
    CANCEL = "x"
    CONFIRM = "y"  # Yes on "Reject #N?" / "Revoke the decision on #N?"
    PROPOSE = "p"  # propose approval: the notice of the intended decision (拟审批公示) opens


class CheckAction(StrEnum):
    """The completeness check, from a received request's card and the checklist it opens."""

    ACCEPT = "a"
    LIST = "l"  # open the checklist of standard materials
    TICK = "t"  # tick or untick item ``index``
    NEXT = "n"  # the ticks are done: ask for anything else missing, in the reviewer's words
    SEND = "s"  # send the list as it stands
    CANCEL = "x"


class SignAction(StrEnum):
    """The sign-off chain, from a SIGNING request's card."""

    ASK = "a"  # "Sign": shows what the signature does, with Sign now / Cancel
    SIGN = "s"  # sign now
    RETURN = "r"  # return for revision: asks for the reason
    CANCEL = "x"


class SignCB(CallbackData, prefix="sg"):
    """``step``: the chain's step the card showed awaited; a press after it was signed (or returned) signs nothing."""

    action: SignAction
    id: Id
    step: Page


class CheckCB(CallbackData, prefix="ck"):
    action: CheckAction
    id: Id
    index: Page = 0


class ClockAction(StrEnum):
    """Excluded time (art. 45), from a card: stop the clock (pick the kind, then the days), or restart it."""

    STOP = "s"  # ask which kind
    KIND = "k"  # ``kind`` picked: ask how many working days
    DAYS = "d"  # ``days`` picked: stop the clock
    RESUME = "r"  # ask for the result
    CANCEL = "x"


class ClockCB(CallbackData, prefix="cl"):
    action: ClockAction
    id: Id
    kind: Page = 0  # index into approvals.clock_stops.StopKind
    days: Page = 0


class QueueAction(StrEnum):
    OPEN = "o"  # the card, in the presser's private chat
    CLAIM = "c"


class ReviewCB(CallbackData, prefix="rv"):
    action: ReviewAction
    id: Id


class DetailsCB(CallbackData, prefix="dt"):
    """A card's "Details": the request's fields in full, sent to whoever pressed it."""

    id: Id


class FilesCB(CallbackData, prefix="fl"):
    """A card's "📎 Documents": every file of the request, sent to the presser's private chat."""

    id: Id


class QueuePageCB(CallbackData, prefix="qp"):
    page: Page


class QueueItemCB(CallbackData, prefix="qi"):
    """A button beside one request in /queue; ``page`` is the list's page, redrawn after a claim."""

    action: QueueAction
    id: Id
    page: Page


class ReassignCB(CallbackData, prefix="ra"):
    id: Id
    to: Id


class ChoiceCB(CallbackData, prefix="ch"):
    """A form answer picked from buttons: ``field`` is the form step, ``value`` an enum value or key code."""

    field: str
    value: str


class FormAction(StrEnum):
    SUBMIT = "s"  # SUBMIT, EDIT, CANCEL: confirmation screens shown before ConfirmCB, answered as out of date
    EDIT = "e"
    CANCEL = "x"
    DOCS_DONE = "d"
    NOT_KEY = "n"
    NO_FIRM = "f"  # the EIA firm left out


class FormCB(CallbackData, prefix="fm"):
    action: FormAction


class ConfirmAction(StrEnum):
    SUBMIT = "s"
    EDIT = "e"
    CANCEL = "x"
    ANYWAY = "y"  # submit although the same project is already with the bureau
    ADD = "a"  # add the draft's documents to that request instead
    DETAILS = "t"  # the typed answers in full, when the screen shortened some


class ConfirmCB(CallbackData, prefix="cf"):
    """A button of the confirmation screen, naming the form (its /submit message) and the version of the draft the
    screen showed: a screen left behind by an edit, or by an earlier form, acts on nothing."""

    action: ConfirmAction
    form: Id
    version: Page


class DraftFileCB(CallbackData, prefix="df"):
    """Remove the form's ``index``-th document (from 0), as the list of the draft's ``version`` showed it: a list
    left behind by a later change acts on nothing."""

    form: Id
    version: Page
    index: Page


class KeyPageCB(CallbackData, prefix="kq"):  # "kp" (no list number) was its earlier form
    """A page of the form's key-project list. ``search``: which list of this form it belongs to (the form counts
    them; the latest one's text is in the form's data), so an older list's button pages nothing else."""

    page: Page
    search: Page


class KeyImportAction(StrEnum):
    CONFIRM = "y"
    CANCEL = "x"


class KeyImportCB(CallbackData, prefix="ki"):
    """Confirm or Cancel under a key-project import's preview: the pending import's id (the file's projects wait
    in the database, not in the button)."""

    action: KeyImportAction
    id: Id


class KeyBoardCB(CallbackData, prefix="kb"):
    """A page of /keyprojects. ``search``: 0 for the whole list, else the number of the presser's latest search
    (its text is kept in their chat state, not in the button)."""

    page: Page
    search: Page


class EditCB(CallbackData, prefix="ed"):
    field: str


class WithdrawCB(CallbackData, prefix="wd"):
    id: Id
    confirm: bool


class SupplementCB(CallbackData, prefix="sp"):
    id: Id
    send: bool = False


class LangCB(CallbackData, prefix="lg"):
    locale: str


class SubscriptionCB(CallbackData, prefix="sb"):
    user_id: Id
    approve: bool


KeyCode = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,31}$")]
KsUser = Annotated[int, _digits(0, MAX_ID), Field(ge=0, le=MAX_ID)]  # 0: none


class KsAction(StrEnum):
    OPEN = "o"
    ASSIGN = "a"  # show the reviewers to pick from
    PICK = "p"  # make ``user`` the liaison
    UNASSIGN = "u"
    CONSULT = "c"  # record a pre-application consultation
    NO_EIA = "n"
    EIA = "e"  # take the no-EIA mark back


class KsCB(CallbackData, prefix="ks"):
    action: KsAction
    code: KeyCode
    user: KsUser = 0


class QuotaAction(StrEnum):
    NONE = "n"  # no new discharge
    ALLOCATION = "a"
    REDUCTION = "r"  # value: the reduction project's id
    EXEMPT = "x"  # value: the exempt category's place in QUOTA_EXEMPT


class QuotaFormCB(CallbackData, prefix="qf"):
    """The form's quota questions (handlers/quota_form.py)."""

    action: QuotaAction
    value: Page = 0


KINDS: tuple[type[CallbackData], ...] = (
    ReviewCB,
    SignCB,
    ClockCB,
    CheckCB,
    DetailsCB,
    FilesCB,
    QueuePageCB,
    QueueItemCB,
    ReassignCB,
    ChoiceCB,
    FormCB,
    ConfirmCB,
    DraftFileCB,
    KeyPageCB,
    KeyImportCB,
    KeyBoardCB,
    KsCB,
    EditCB,
    WithdrawCB,
    SupplementCB,
    LangCB,
    SubscriptionCB,
    QuotaFormCB,
)


def is_forged(data: str) -> bool:
    """Data under one of our prefixes that none of our buttons can carry (an id out of range, an unknown action)."""
    for kind in KINDS:
        if data.startswith(kind.__prefix__ + kind.__separator__):
            try:
                kind.unpack(data)
            except (TypeError, ValueError):
                return True
            return False
    return False  # not ours at all: a button from an older version, or noise
