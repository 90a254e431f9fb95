"""The form's quota questions, and what the confirmation screen and the card say about a request's quota (the
answers: handlers/quota_form.py).

The form keeps the answer as ``quota``: {"discharges": {pollutant: "1.200"}, "source", "reduction_id",
"exempt_as"} — JSON in the chat's state, a ``QuotaClaim`` when submitted; none when there is no new discharge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from approvals import quota as q
from approvals.quota_claim import QuotaClaim
from handlers import keyboards as kb
from handlers import limits, quota_texts
from handlers.callbacks import QuotaAction, QuotaFormCB

if TYPE_CHECKING:
    from handlers.context import AppContext

REDUCTIONS_SHOWN = 10  # the newest reduction projects offered as buttons
REDUCTION_LABEL = 40


def quota_prompt(field: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The discharge question (the source question's buttons need the reduction projects: ``question``)."""
    if field == "discharge":
        return (
            _(
                "Will the project discharge pollutants under total-amount control (总量控制)? Send each pollutant "
                "and its new discharge in tonnes a year, e.g. COD 1.2, NOx 0.5 — or press “No new discharge”."
            ),
            kb.rows([(_("No new discharge"), QuotaFormCB(action=QuotaAction.NONE))]),
        )
    return _("Where does the quota for this discharge come from?"), None


async def question(field: str, data: dict[str, Any], app: AppContext) -> tuple[str, InlineKeyboardMarkup | None]:
    text, markup = quota_prompt(field)
    if field != "quota_source":
        return text, markup
    settings = app.quotas.settings
    buttons: list[kb.Button] = [(_("Allocation from the district balance"), QuotaFormCB(action=QuotaAction.ALLOCATION))]
    for project in (await app.repos.quota.reductions())[-REDUCTIONS_SHOWN:]:
        label = _("Reduction: {name}").format(name=limits.shorten(project.name, REDUCTION_LABEL))
        buttons.append((label, QuotaFormCB(action=QuotaAction.REDUCTION, value=project.id)))
    for n, category in enumerate(settings.exempt):
        label = _("Exempt: {category}").format(category=quota_texts.exempt_label(category))
        buttons.append((label, QuotaFormCB(action=QuotaAction.EXEMPT, value=n)))
    needed = claim_of(data)
    if needed is not None:
        text = quota_texts.amounts(needed.discharges) + "\n" + text
    return text, kb.column(buttons)


def claim_of(data: dict[str, Any]) -> QuotaClaim | None:
    stored = data.get("quota")
    return QuotaClaim.model_validate(stored) if stored else None


def stored(claim: QuotaClaim) -> dict[str, Any]:
    return claim.model_dump(mode="json") | {"discharges": {p: q.tonnes(a) for p, a in claim.discharges.items()}}


async def confirmation_line(data: dict[str, Any], app: AppContext) -> str:
    claim = claim_of(data)
    name = None
    if claim is not None and claim.reduction_id is not None:
        name = next((r.name for r in await app.repos.quota.reductions() if r.id == claim.reduction_id), None)
    return quota_texts.claim_line(claim, name)


async def card_lines(app: AppContext, request_id: int) -> list[str]:
    """What a request's card says about its quota: the discharge declared and its source, and what it holds."""
    claim = await app.repos.quota.claim_of(request_id)
    if claim is None:
        return []
    name = None
    if claim.reduction_id is not None:
        name = next((r.name for r in await app.repos.quota.reductions() if r.id == claim.reduction_id), None)
    held = quota_texts.held_line(await app.repos.quota.held_by(request_id))
    return [quota_texts.claim_line(claim, name), *([held] if held else [])]
