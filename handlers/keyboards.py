"""Inline keyboards. Buttons carry typed callback data (ids only); labels go through the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from approvals.admin import KeyMatches
from approvals.models import ApprovalRequest, Category, DocumentType, Status
from approvals.ports import Person
from approvals.progress import QueuePage
from approvals.states import Action
from handlers import limits
from handlers import texts as t
from handlers.callbacks import (
    CheckAction,
    CheckCB,
    ChoiceCB,
    ClockAction,
    ClockCB,
    ConfirmAction,
    ConfirmCB,
    DetailsCB,
    DraftFileCB,
    EditCB,
    FilesCB,
    FormAction,
    FormCB,
    KeyBoardCB,
    KeyImportAction,
    KeyImportCB,
    KeyPageCB,
    LangCB,
    QueueAction,
    QueueItemCB,
    QueuePageCB,
    ReassignCB,
    ReviewAction,
    ReviewCB,
    SignAction,
    SignCB,
    SubscriptionCB,
    SupplementCB,
    WithdrawCB,
)

Button = tuple[str, CallbackData]


def rows(*lines: Sequence[Button]) -> InlineKeyboardMarkup:
    """A keyboard from rows of (label, callback data), built directly: aiogram's builder deep-copies the whole
    keyboard for every button added, which the profile showed costing more than the rest of a form step."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in line]
            for line in lines
            if line
        ]
    )


def column(buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    return rows(*([button] for button in buttons))


def pairs(buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    return rows(*(buttons[i : i + 2] for i in range(0, len(buttons), 2)))


def per_locale(build: Callable[[], InlineKeyboardMarkup]) -> Callable[[], InlineKeyboardMarkup]:
    """Fixed keyboards are built once per language: building one (builder, deep copy, validation) costs more than
    the rest of a form step. aiogram only reads a markup when it sends it, so one can be shared."""
    built: dict[str, InlineKeyboardMarkup] = {}

    @wraps(build)
    def cached() -> InlineKeyboardMarkup:
        locale = get_i18n().current_locale
        if locale not in built:
            built[locale] = build()
        return built[locale]

    return cached


EDITABLE = (
    "project_name",
    "organisation",
    "eia_firm",
    "contact_name",
    "phone",
    "category",
    "document_type",
    "investment",
    "location",
    "description",
    "key_project",
    "discharge",  # and, after it, where its quota comes from
    "documents",
)


def review(
    request: ApprovalRequest,
    *,
    details: bool = False,
    approval: Action | None = Action.PROPOSE_APPROVAL,
    signs_off: bool = False,
) -> InlineKeyboardMarkup | None:
    """The card's buttons for its current status (a decided request has none), "Details" when the card shortened
    a field, and "📎 Documents" whenever there are files to read (a decided request's too). ``approval``: what
    approving means now (the service's ``approval_step``): propose it for public notice, approve once the notice
    has run, or nothing while it runs. ``signs_off``: a chain signs the decision (APPROVAL_CHAIN longer than the
    reviewer): the reviewer's Approve and Reject only propose it for sign-off."""
    rid = request.id
    approve_label = _("Approve: to sign-off (提交签批)") if signs_off else _("Approve")
    reject_label = _("Reject: to sign-off (提交签批)") if signs_off else _("Reject")
    more: list[Button] = [(_("Details"), DetailsCB(id=rid))] if details else []
    if request.attachments:
        more.append((_("📎 Documents"), FilesCB(id=rid)))
    if request.status is Status.RECEIVED:  # the completeness check first: no decision before acceptance
        check = [
            (_("Accept (受理)"), CheckCB(action=CheckAction.ACCEPT, id=rid)),
            (_("List missing material"), CheckCB(action=CheckAction.LIST, id=rid)),
        ]
        return rows(check, more)
    if request.status is Status.IN_NOTICE:  # no claim, no request for material: the notice runs, then the decision
        approve = [(approve_label, ReviewCB(action=ReviewAction.APPROVE, id=rid))] if approval is Action.APPROVE else []
        return rows([*approve, (reject_label, ReviewCB(action=ReviewAction.REJECT, id=rid))], more)
    if request.status is Status.SIGNING:  # the chain's next signer signs or returns it (approvals/sign_off.py)
        step = request.signing_step
        sign = [
            (_("✍️ Sign"), SignCB(action=SignAction.ASK, id=rid, step=step)),
            (_("↩️ Return for revision"), SignCB(action=SignAction.RETURN, id=rid, step=step)),
        ]
        return rows(sign, more)
    if request.status is Status.EXCLUDED:  # art. 45: no decision until the result is in and the clock runs
        return rows([(_("▶️ Restart the clock (result)"), ClockCB(action=ClockAction.RESUME, id=rid))], more)
    if request.status in (Status.SUBMITTED, Status.RESUBMITTED):
        first = (_("Claim"), ReviewCB(action=ReviewAction.CLAIM, id=rid))
    elif request.status is Status.IN_REVIEW:
        first = (_("Release"), ReviewCB(action=ReviewAction.RELEASE, id=rid))
    else:
        return rows(more) if more else None
    if approval is Action.APPROVE:
        decision = (approve_label, ReviewCB(action=ReviewAction.APPROVE, id=rid))
    else:
        decision = (_("Propose approval (公示)"), ReviewCB(action=ReviewAction.PROPOSE, id=rid))
    decide = [
        first,
        decision,
        (_("Request info"), ReviewCB(action=ReviewAction.INFO, id=rid)),
        (reject_label, ReviewCB(action=ReviewAction.REJECT, id=rid)),
    ]
    stop = [(_("⏸ Stop the clock (art. 45)"), ClockCB(action=ClockAction.STOP, id=rid))]
    return rows(decide[:2], decide[2:], stop, more)


def details(request_id: int) -> InlineKeyboardMarkup:
    return rows([(_("Details"), DetailsCB(id=request_id))])


def approve_prompt(request_id: int, *, issued: bool, proposal: bool = False) -> InlineKeyboardMarkup:
    """``issued``: the bureau issues the number with the approval; else one may approve before it is known.
    ``proposal``: a sign-off chain decides; this press is the first signature."""
    if proposal:
        label = _("Propose approval for sign-off")
    else:
        label = _("Approve and issue the number") if issued else _("Approve without a number")
    return rows(
        [
            (label, ReviewCB(action=ReviewAction.APPROVE_NOW, id=request_id)),
            (_("Cancel"), ReviewCB(action=ReviewAction.CANCEL, id=request_id)),
        ]
    )


def sign_prompt(request_id: int, step: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (_("Sign now"), SignCB(action=SignAction.SIGN, id=request_id, step=step)),
            (_("Cancel"), SignCB(action=SignAction.CANCEL, id=request_id, step=step)),
        ]
    )


def open_cards(request_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """One "Open" per request (its card in the presser's private chat), two to a row."""
    buttons = [
        (_("#{id} Open").format(id=rid), QueueItemCB(action=QueueAction.OPEN, id=rid, page=0)) for rid in request_ids
    ]
    return pairs(buttons) if buttons else None


def cancel_review(request_id: int) -> InlineKeyboardMarkup:
    return rows([(_("Cancel"), ReviewCB(action=ReviewAction.CANCEL, id=request_id))])


def confirm_step(request_id: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (_("Yes"), ReviewCB(action=ReviewAction.CONFIRM, id=request_id)),
            (_("No"), ReviewCB(action=ReviewAction.CANCEL, id=request_id)),
        ]
    )


def queue(page: QueuePage) -> InlineKeyboardMarkup | None:
    """Per request: open its card, and claim it if it is free and not the viewer's own; then the pages."""
    lines: list[list[Button]] = []
    for view in page.items:
        rid = view.request.id
        line: list[Button] = [
            (_("#{id} Open").format(id=rid), QueueItemCB(action=QueueAction.OPEN, id=rid, page=page.page))
        ]
        if view.request.status in (Status.SUBMITTED, Status.RESUBMITTED) and rid not in page.own:
            line.append(
                (_("#{id} Claim").format(id=rid), QueueItemCB(action=QueueAction.CLAIM, id=rid, page=page.page))
            )
        lines.append(line)
    nav: list[Button] = []
    if page.page > 0:
        nav.append((_("◀ Previous"), QueuePageCB(page=page.page - 1)))
    if page.page < page.pages - 1:
        nav.append((_("Next ▶"), QueuePageCB(page=page.page + 1)))
    lines.append(nav)
    return rows(*lines) if any(lines) else None


def reassign(request_id: int, people: Sequence[Person]) -> InlineKeyboardMarkup:
    return column([(p.name or str(p.user_id), ReassignCB(id=request_id, to=p.user_id)) for p in people])


@per_locale
def categories() -> InlineKeyboardMarkup:
    return column([(t.category(value), ChoiceCB(field="category", value=value.value)) for value in Category])


@per_locale
def document_types() -> InlineKeyboardMarkup:
    return column(
        [(t.document_type(value), ChoiceCB(field="document_type", value=value.value)) for value in DocumentType]
    )


def key_projects(found: KeyMatches, search: int = 0) -> InlineKeyboardMarkup:
    """The form's key-project list; ``search`` numbers the list (handlers/callbacks.py KeyPageCB)."""
    turn: list[Button] = []
    if found.page > 0:
        turn.append((_("◀ Previous"), KeyPageCB(page=found.page - 1, search=search)))
    if found.page < found.pages - 1:
        turn.append((_("Next ▶"), KeyPageCB(page=found.page + 1, search=search)))
    return rows(
        *([(f"{p.code} {p.name}"[:60], ChoiceCB(field="key_code", value=p.code))] for p in found.items),
        turn,
        [(_("Not a key project"), FormCB(action=FormAction.NOT_KEY))],
    )


def key_import(import_id: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (_("Confirm"), KeyImportCB(action=KeyImportAction.CONFIRM, id=import_id)),
            (_("Cancel"), KeyImportCB(action=KeyImportAction.CANCEL, id=import_id)),
        ]
    )


def key_board(found: KeyMatches, search: int) -> InlineKeyboardMarkup | None:
    """/keyprojects' page buttons (none when everything fits on one page)."""
    turn: list[Button] = []
    if found.page > 0:
        turn.append((_("◀ Previous"), KeyBoardCB(page=found.page - 1, search=search)))
    if found.page < found.pages - 1:
        turn.append((_("Next ▶"), KeyBoardCB(page=found.page + 1, search=search)))
    return rows(turn) if turn else None


@per_locale
def no_eia_firm() -> InlineKeyboardMarkup:
    return rows([(_("No EIA firm"), FormCB(action=FormAction.NO_FIRM))])


@per_locale
def documents_done() -> InlineKeyboardMarkup:
    return rows([(_("Done"), FormCB(action=FormAction.DOCS_DONE))])


DRAFT_FILE_LABEL = 40  # a file's name on its remove button


def draft_files(form: int, version: int, names: Sequence[str]) -> InlineKeyboardMarkup:
    """A remove button per document of the form (for this version of its draft only), then Done."""
    remove = [
        [
            (
                _("✖ {n}. {name}").format(n=n + 1, name=limits.shorten(name, DRAFT_FILE_LABEL)),
                DraftFileCB(form=form, version=version, index=n),
            )
        ]
        for n, name in enumerate(names)
    ]
    return rows(*remove, [(_("Done"), FormCB(action=FormAction.DOCS_DONE))])


def confirm(form: int, version: int, *, details: bool = False) -> InlineKeyboardMarkup:
    """The confirmation screen's buttons, for this version of this form's draft only; ``details`` when the screen
    shortened an answer ("Details" shows them in full)."""

    def cb(action: ConfirmAction) -> ConfirmCB:
        return ConfirmCB(action=action, form=form, version=version)

    lines: list[list[Button]] = [
        [(_("Submit"), cb(ConfirmAction.SUBMIT))],
        [(_("Edit"), cb(ConfirmAction.EDIT)), (_("Cancel"), cb(ConfirmAction.CANCEL))],
    ]
    if details:
        lines.append([(_("Details"), cb(ConfirmAction.DETAILS))])
    return rows(*lines)


def same_project(form: int, version: int, request_id: int) -> InlineKeyboardMarkup:
    def cb(action: ConfirmAction) -> ConfirmCB:
        return ConfirmCB(action=action, form=form, version=version)

    return rows(
        [(_("Add these documents to #{id}").format(id=request_id), cb(ConfirmAction.ADD))],
        [(_("Submit as a new request"), cb(ConfirmAction.ANYWAY))],
        [(_("Cancel"), cb(ConfirmAction.CANCEL))],
    )


def edit_fields(labels: dict[str, str]) -> InlineKeyboardMarkup:  # per call: it takes the labels (not per_locale)
    return pairs([(labels[field], EditCB(field=field)) for field in EDITABLE])


def withdraw(request_id: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (_("Yes, withdraw"), WithdrawCB(id=request_id, confirm=True)),
            (_("No, keep it"), WithdrawCB(id=request_id, confirm=False)),
        ]
    )


def supplement_start(request_id: int) -> InlineKeyboardMarkup:
    return rows([(_("Send more material"), SupplementCB(id=request_id))])


def supplement_send(request_id: int) -> InlineKeyboardMarkup:
    return rows([(_("Send to the bureau"), SupplementCB(id=request_id, send=True))])


def languages() -> InlineKeyboardMarkup:
    return rows([("中文", LangCB(locale="zh_CN")), ("English", LangCB(locale="en"))])


def subscription(user_id: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (_("Approve"), SubscriptionCB(user_id=user_id, approve=True)),
            (_("Decline"), SubscriptionCB(user_id=user_id, approve=False)),
        ]
    )
