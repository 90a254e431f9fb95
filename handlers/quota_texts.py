"""What the chat says about pollutant quotas (总量控制): amounts, sources, /quota, the shortfall, the summary line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals import quota as q
from approvals.quota_claim import QuotaClaim, QuotaSource
from approvals.quota_service import QuotaView
from approvals.validation import InvalidField
from handlers import limits

HOLDS_SHOWN = 30  # requests listed by /quota, newest first (the export has every entry)
WAITING_SHOWN = 30


def exempt_label(category: str) -> str:
    """A listed exempt category: the default ones translated, the bureau's own as typed."""
    known = {
        "road": _("roads"),
        "rail": _("rail"),
        "hydropower": _("hydropower"),
        "solar": _("solar power"),
        "onshore_wind": _("onshore wind power"),
    }
    return known.get(category, escape(category))


def amounts(found: Mapping[str, Decimal]) -> str:
    return " · ".join(
        _("{pollutant} {amount} t").format(pollutant=escape(p), amount=q.tonnes(a)) for p, a in found.items()
    )


def source(claim: QuotaClaim, reduction_name: str | None = None) -> str:
    if claim.source is QuotaSource.EXEMPT:
        return _("exempt ({category})").format(category=exempt_label(claim.exempt_as or ""))
    if claim.source is QuotaSource.REDUCTION:
        name = escape(limits.shorten(reduction_name, 60)) if reduction_name else f"#{claim.reduction_id}"
        return _("from reduction project {name}").format(name=name)
    return _("from the district balance")


def claim_line(claim: QuotaClaim | None, reduction_name: str | None = None) -> str:
    """One line for the confirmation screen and the card (bounded: up to 20 pollutants)."""
    if claim is None or not claim.discharges:
        return _("New discharge: none")
    line = _("New discharge (t/a): {amounts} — {source}").format(
        amounts=amounts(claim.discharges), source=source(claim, reduction_name)
    )
    return line if limits.units(line) <= limits.LINE * 2 else limits.shorten(line, limits.LINE * 2)


def held_line(held: Mapping[str, tuple[Decimal, str]]) -> str:
    if not held:
        return ""
    allocated = all(state == "allocated" for _amount, state in held.values())
    found = amounts({p: a for p, (a, _state) in held.items()})
    line = (_("Quota allocated: {amounts}") if allocated else _("Quota reserved: {amounts}")).format(amounts=found)
    return line if limits.units(line) <= limits.LINE * 2 else limits.shorten(line, limits.LINE * 2)


def shortfall(exc: q.QuotaShortfall) -> str:
    """Plain text, short enough for a button's alert (200 characters)."""
    text = _("Not approved: the pollutant quota is short by {amounts}. See /quota.").format(
        amounts=", ".join(
            _("{pollutant} {amount} t").format(pollutant=p, amount=q.tonnes(a)) for p, a in exc.missing.items()
        )
    )
    return limits.shorten(text, limits.CALLBACK_ANSWER)


def problem(exc: InvalidField) -> str:
    p = exc.params
    return {
        "not_tonnes": _("Send an amount in tonnes a year, e.g. 12.35"),
        "tonnes_range": _("An amount is at least 0 and less than {max} t.").format(max=p.get("max")),
        "tonnes_precision": _("At most three decimal places (kilograms)."),
        "unknown_pollutant": _("{name} is not a pollutant counted here; use one of: {known}").format(
            name=escape(str(p.get("name", ""))), known=escape(str(p.get("known", "")))
        ),
        "discharge_twice": _("{name} is given twice.").format(name=escape(str(p.get("name", "")))),
        "discharge_format": _("Write each pollutant and its tonnes a year, e.g. COD 1.2, NOx 0.5"),
        "reduction_exists": _("A reduction project named {name} exists already.").format(
            name=escape(str(p.get("name", "")))
        ),
        "sheet_type": _("Send the opening quotas as an .xlsx file."),
        "sheet_too_big": _("The sheet is too large: at most {max_kb} KB.").format(max_kb=p.get("max_kb")),
        "sheet_rows": _("The sheet needs one row per pollutant (pollutant, tonnes), at most {max}.").format(
            max=p.get("max")
        ),
        "sheet_unreadable": _("The sheet could not be read; save it again as .xlsx and send it."),
    }.get(exc.problem, _("That value is not valid."))


def view(v: QuotaView, tz: tzinfo) -> list[str]:
    """/quota: blocks for ``texts.chunks`` (each within one message)."""
    blocks = [_("<b>Pollutant quotas</b> (tonnes a year)")]
    for b in v.balances:
        blocks.append(
            _(
                "<b>{pollutant}</b>: {available} available — opening {opening} + credits {credits} − reserved "
                "{reserved} − allocated {allocated}"
            ).format(
                pollutant=escape(b.pollutant),
                available=q.tonnes(b.available),
                opening=q.tonnes(b.opening),
                credits=q.tonnes(b.credits),
                reserved=q.tonnes(b.reserved),
                allocated=q.tonnes(b.allocated),
            )
        )
    by_request: dict[int, dict[str, tuple[Decimal, str]]] = {}
    for request_id, pollutant, amount, state in v.holds:
        by_request.setdefault(request_id, {})[pollutant] = (amount, state)
    if by_request:
        blocks.append(_("<b>Held by requests</b>"))
        blocks += [f"#{rid} {held_line(held)}" for rid, held in list(by_request.items())[:HOLDS_SHOWN]]
        if len(by_request) > HOLDS_SHOWN:
            blocks.append(_("… and more: /quota export lists every entry."))
    if v.waiting:
        blocks.append(_("<b>Waiting for approval</b>"))
        for rid, missing in v.waiting[:WAITING_SHOWN]:
            blocks.append(
                f"#{rid} " + (_("short: {amounts}").format(amounts=amounts(missing)) if missing else _("covered now"))
            )
    if v.reductions:
        blocks.append(_("<b>Reduction projects</b>"))
        blocks += [reduction_line(r, tz) for r in v.reductions[-WAITING_SHOWN:]]
    return blocks


def reduction_line(r: q.ReductionProject, tz: tzinfo) -> str:
    state = (
        _("confirmed {day}").format(day=r.confirmed_on.isoformat())
        if r.confirmed_on
        else _("not confirmed: /quota confirm {id}").format(id=r.id)
    )
    name = escape(limits.shorten(r.name, 60))
    return f"{r.id}. {name} · {amounts(r.reductions)} · {state}"


def summary_line(balances: Sequence[q.Balance], short: int) -> str:
    """ "COD 12.350 t available · NOx 0.800 t — 2 requests waiting for quota" (pollutants the district has)."""
    counted = [b for b in balances if b.opening or b.credits or b.reserved or b.allocated]
    if not counted and not short:
        return ""
    parts = [
        (_("{pollutant} {amount} t available") if n == 0 else _("{pollutant} {amount} t")).format(
            pollutant=escape(b.pollutant), amount=q.tonnes(b.available)
        )
        for n, b in enumerate(counted)
    ]
    line = " · ".join(parts) or _("No quota set")
    if short:
        line += " — " + ngettext("{n} request waiting for quota", "{n} requests waiting for quota", short).format(
            n=short
        )
    return line
