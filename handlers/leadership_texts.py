"""The leadership figures (approvals/leadership.py) and the quota line, as /stats and the daily summary word them."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.leadership import LaneWindow, LeadershipFigures
from handlers import quota_texts
from handlers import texts as t


def _window(days: int, w: LaneWindow) -> str:
    if w.median_days is None:
        return ngettext("last {days} day: none decided", "last {days} days: none decided", days).format(days=days)
    return ngettext(
        "last {days} day: median {median} (promise {promise}), {share}% within the promise",
        "last {days} days: median {median} (promise {promise}), {share}% within the promise",
        days,
    ).format(
        days=days,
        median=f"{w.median_days:g}",
        promise=f"{w.median_promise:g}" if w.median_promise is not None else "—",
        share=round(100 * (w.share_within or 0)),
    )


def blocks(f: LeadershipFigures, quota_line: str = "") -> list[str]:
    lines = [_("<b>Time to decision</b> (working days from receipt, median)")]
    lanes = {lane for windows in f.windows.values() for lane, w in windows.items() if w.decided}
    for lane in sorted(lanes):
        parts = [_window(days, f.windows[days][lane]) for days in sorted(f.windows)]
        lines.append(_("{lane}: {windows}").format(lane=t.lane(lane), windows=" · ".join(parts)))
    if not lanes:
        lines.append(_("No decisions in the last 365 days."))
    lines.append(
        ngettext(
            "Approved this year: {n} project, investment {amount} 万元",
            "Approved this year: {n} projects, investment {amount} 万元",
            f.approved_this_year,
        ).format(n=f.approved_this_year, amount=f"{f.investment_this_year.normalize():,f}")
    )
    reduced = quota_texts.amounts(f.reduced_this_year)
    lines.append(_("Reduced this year by confirmed reduction projects: {amounts}").format(amounts=reduced))
    if quota_line:
        lines.append(_("Quota: {line}").format(line=quota_line))
    return ["\n".join(lines)]
