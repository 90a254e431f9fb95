"""Words for the sign-off chain (经办 → 审核 → 签发): a card's signature line, the prompts, notices and refusals."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from approvals.models import ApprovalRequest, Role, Status
from approvals.sign_off import AlreadySigned, Decision, NotSigner, SignatureRefused, SignOff, SignsLater, StepTaken
from handlers import limits
from handlers.limits import Clip

LIST_TITLE = 60  # a project's name in /sign's list, at most: twenty lines stay within one message


def step_name(role: Role) -> str:
    """A step of the chain by the role that signs it, short (a card line, a prompt)."""
    return {
        Role.REVIEWER: _("Reviewer"),  # 经办
        Role.CHIEF: _("Chief"),  # 审核
        Role.DIRECTOR: _("Director"),  # 签发
    }.get(role, role.value)


def decision_name(decision: Decision) -> str:
    return _("approval") if decision is Decision.APPROVE else _("rejection")


def card_lines(state: SignOff, clip: Clip, reason_units: int) -> list[str]:
    """What was proposed, and every step: "经办 张审 ✓ · 审核 待签 · 签发"."""
    first = state.signatures[0].name if state.signatures else ""
    proposed = _("✍️ {name} proposes {decision}").format(
        name=clip(first, limits.PERSON) or "—", decision=decision_name(state.decision)
    )
    if state.reason:
        proposed += _(": {reason}").format(reason=clip(state.reason, reason_units))
    steps = []
    for k, role in enumerate(state.chain):
        if k < len(state.signatures):
            steps.append(f"{step_name(role)} {clip(state.signatures[k].name, limits.PERSON)} ✓")
        elif k == state.step:
            steps.append(_("{step}: awaiting").format(step=step_name(role)))
        else:
            steps.append(step_name(role))
    return [proposed, " · ".join(steps)]


def ask(request: ApprovalRequest, state: SignOff, signer: str) -> str:
    """The prompt under "Sign": what this signature does."""
    head = _("{name}: sign #{id} {project} as “{step}”?").format(
        name=escape(signer), id=request.id, project=escape(request.project_name), step=step_name(state.awaited)
    )
    if not state.is_last:
        nxt = state.chain[state.step + 1]
        return (
            head
            + "\n"
            + _("The proposed {decision} then goes to “{step}” for signature.").format(
                decision=decision_name(state.decision), step=step_name(nxt)
            )
        )
    if state.decision is Decision.APPROVE:
        return head + "\n" + _("Yours is the last signature: the approval is issued, with its approval number.")
    return head + "\n" + _("Yours is the last signature: the rejection is issued and the applicant is told.")


def signed(request: ApprovalRequest) -> str:
    """What the signer is told once their signature is recorded."""
    if request.status is Status.APPROVED:
        if request.approval_number:
            return _("✅ #{id} approved: approval number {number}.").format(
                id=request.id, number=escape(request.approval_number)
            )
        return _("✅ #{id} approved.").format(id=request.id)
    if request.status is Status.REJECTED:
        return _("❌ #{id} rejected: the applicant is told the reason.").format(id=request.id)
    return _("✍️ Signed: #{id} now awaits the next signature.").format(id=request.id)


def proposed(request: ApprovalRequest) -> str:
    """What the reviewer is told when their Approve or Reject went to the chain instead of deciding."""
    return _(
        "✍️ #{id}: your proposal is recorded and goes to the next signer; the decision is issued with the last "
        "signature."
    ).format(id=request.id)


def propose_prompt(request: ApprovalRequest, reviewer: str, *, issued: bool) -> str:
    """The reviewer's Approve where a chain signs: what the press does (and, numbers typed, how to give one)."""
    text = _(
        "{name}: propose approving #{id} {project}? It goes to the sign-off chain; the decision, with its approval "
        "number, is issued with the last signature."
    ).format(name=escape(reviewer), id=request.id, project=escape(request.project_name))
    if not issued:
        text += "\n" + _("You may reply with the approval number (批复文号) to propose it with the approval.")
    return text


def propose_rejection(request: ApprovalRequest) -> str:
    """The Yes / No before a reviewer's rejection where a chain signs: it is proposed, not issued."""
    return _(
        "Propose rejecting #{id} {project}? It goes to the sign-off chain (签批); the rejection is issued with the "
        "last signature."
    ).format(id=request.id, project=escape(request.project_name))


def return_prompt(request: ApprovalRequest, signer: str) -> str:
    return _("{name}: reply to this message with the reason for returning #{id} to its reviewer.").format(
        name=escape(signer), id=request.id
    )


def returned_to_reviewer(request: ApprovalRequest, by: str, reason: str) -> str:
    if request.status is Status.IN_NOTICE:  # an approval proposed after its notice: that notice still stands
        text = _(
            "↩️ {name} returned #{id} {project} for revision: {reason}\nIt is back in your hands, in its notice "
            "(which has run): approve or reject again, with no new notice."
        )
    else:
        text = _(
            "↩️ {name} returned #{id} {project} for revision: {reason}\nIt is back in your hands (in review): decide "
            "again."
        )
    return text.format(name=escape(by), id=request.id, project=escape(request.project_name), reason=escape(reason))


def to_applicant(request: ApprovalRequest) -> str:
    return _(
        "Request #{id} {name}: the review is done and the decision is being signed off by the bureau (签批). You "
        "will be told of it."
    ).format(id=request.id, name=escape(request.project_name))


def awaiting_list(requests: list[ApprovalRequest], total: int) -> str:
    """/sign: the requests shown (the oldest ``total`` may be more), each with its promised day."""
    if not requests:
        return _("Nothing awaits your signature.")
    lines = [_("<b>Awaiting your signature: {n}</b>").format(n=total)]
    lines += [
        _("#{id} {project} · promised by {day}").format(
            id=r.id, project=escape(r.project_name[:LIST_TITLE]), day=r.promised_due.isoformat()
        )
        for r in requests
    ]
    return "\n".join(lines)


def error(exc: SignatureRefused) -> str:
    """One sentence for a refused signature (plain text)."""
    step = step_name(exc.role)
    if isinstance(exc, AlreadySigned):
        return _("You already signed #{id} in this round (“{signed}”): another person must sign “{step}”.").format(
            id=exc.request_id, signed=step_name(exc.signed_as), step=step
        )
    if isinstance(exc, SignsLater):
        return _("You sign #{id} later, as “{step}”: a reviewer proposes it.").format(id=exc.request_id, step=step)
    if isinstance(exc, NotSigner):
        return _("#{id} awaits the signature “{step}”: only {role} may give it.").format(
            id=exc.request_id, step=step, role=_role(exc.role)
        )
    if isinstance(exc, StepTaken) and exc.by_name:
        return _("That step of #{id} was already taken by {name}; see the card as it is now.").format(
            id=exc.request_id, name=exc.by_name
        )
    return _("That step of #{id} was already signed or returned; see the card as it is now.").format(id=exc.request_id)


def _role(role: Role) -> str:
    return {
        Role.REVIEWER: _("a reviewer (经办)"),
        Role.CHIEF: _("a section chief (审核)"),
        Role.DIRECTOR: _("a director (签发)"),
    }.get(role, role.value)
