"""The weekly bulletin's chart: key projects per colour, and per stage (matplotlib, Agg, safe in a worker thread)."""

from __future__ import annotations

from matplotlib.figure import Figure

from approvals.bulletin import Colour
from reports.charts import _png, font_family

COLOURS = {Colour.RED: "#c62828", Colour.YELLOW: "#f9a825", Colour.GREEN: "#2e7d32"}


def bulletin_chart(
    by_colour: dict[Colour, int], colour_labels: dict[Colour, str], by_stage: dict[str, int], *, title: str
) -> bytes:
    """Two bar charts, one above the other, sized for a phone like the summary's."""
    family = font_family()
    figure = Figure(figsize=(7.2, 9.0), layout="constrained")
    figure.set_facecolor("white")
    top, bottom = figure.subplots(2, 1, height_ratios=[2, 3])
    order = list(Colour)
    values = [by_colour.get(c, 0) for c in order]
    top.barh([colour_labels[c] for c in order], values, color=[COLOURS[c] for c in order])
    top.invert_yaxis()
    top.xaxis.get_major_locator().set_params(integer=True)
    stages = list(by_stage)
    bottom.barh(stages, [by_stage[s] for s in stages], color="#1565c0")
    bottom.invert_yaxis()
    bottom.xaxis.get_major_locator().set_params(integer=True)
    for axes, numbers in ((top, values), (bottom, [by_stage[s] for s in stages])):
        axes.set_xlim(0, max(numbers, default=0) * 1.15 + 1)  # room for the count after the longest bar
        for label in axes.get_yticklabels():
            label.set_family(family)
            label.set_fontsize(14)
        for index, value in enumerate(numbers):
            axes.text(value, index, f" {value}", va="center", fontsize=14)
    figure.suptitle(title, fontsize=18, family=family)
    return _png(figure)
