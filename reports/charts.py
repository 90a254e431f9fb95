"""PNG charts for the daily summary (matplotlib, Agg, object API: safe to run in a worker thread)."""

from __future__ import annotations

import io
from datetime import date
from functools import cache

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from approvals.ledger import KeyProjectStatus

PHONE_SIZE = (7.2, 9.0)  # inches at 100 dpi: 720x900 px, legible on a phone without zooming
COLOURS = {
    KeyProjectStatus.APPROVED: "#2e7d32",
    KeyProjectStatus.IN_PROGRESS: "#1565c0",
    KeyProjectStatus.NEEDS_INFO: "#f9a825",
    KeyProjectStatus.REJECTED: "#c62828",
    KeyProjectStatus.NOT_SUBMITTED: "#9e9e9e",
}


@cache
def font_family() -> str:
    """A font with Chinese glyphs: the system's if it has one, else the packaged Noto Sans SC."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei"):
        if name in installed:
            return name
    import pylopdf_fonts_zh_cn

    path = pylopdf_fonts_zh_cn.sans_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(out, format="png", dpi=100)
    return out.getvalue()


def _figure() -> Figure:
    figure = Figure(figsize=PHONE_SIZE, layout="constrained")
    figure.set_facecolor("white")
    return figure


def activity_chart(
    per_day: dict[date, int], backlog: dict[str, int], *, title: str, per_day_title: str, backlog_title: str
) -> bytes:
    """Approvals per day over the last 30 days, and the backlog per lane."""
    family = font_family()
    figure = _figure()
    top, bottom = figure.subplots(2, 1, height_ratios=[3, 2])
    days = sorted(per_day)
    top.bar([d.strftime("%m-%d") for d in days], [per_day[d] for d in days], color="#2e7d32")
    top.set_title(per_day_title, fontsize=16, family=family)
    top.tick_params(axis="x", labelrotation=90, labelsize=9)
    top.tick_params(axis="y", labelsize=12)
    top.yaxis.get_major_locator().set_params(integer=True)
    labels = list(backlog)
    bottom.barh(labels, [backlog[k] for k in labels], color=["#c62828", "#2e7d32", "#757575"][: len(labels)])
    bottom.set_title(backlog_title, fontsize=16, family=family)
    bottom.invert_yaxis()
    bottom.xaxis.get_major_locator().set_params(integer=True)
    for label in bottom.get_yticklabels():
        label.set_family(family)
        label.set_fontsize(14)
    for index, value in enumerate(backlog[k] for k in labels):
        bottom.text(value, index, f" {value}", va="center", fontsize=14)
    figure.suptitle(title, fontsize=18, family=family)
    return _png(figure)


def ledger_chart(counts: dict[KeyProjectStatus, int], labels: dict[KeyProjectStatus, str], *, title: str) -> bytes:
    """Key projects by status: one bar per status with its count, the approved share in the title."""
    family = font_family()
    figure = Figure(figsize=(7.2, 5.4), layout="constrained")
    axes = figure.subplots()
    order = list(COLOURS)
    names = [labels[s] for s in order]
    values = [counts.get(s, 0) for s in order]
    axes.barh(names, values, color=[COLOURS[s] for s in order])
    axes.invert_yaxis()
    axes.xaxis.get_major_locator().set_params(integer=True)
    for label in axes.get_yticklabels():
        label.set_family(family)
        label.set_fontsize(14)
    for index, value in enumerate(values):
        axes.text(value, index, f" {value}", va="center", fontsize=14)
    axes.set_title(title, fontsize=18, family=family)
    return _png(figure)
