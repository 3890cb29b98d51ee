"""Charts as SVG, drawn on the server: a horizontal stacked bar per row, one segment per standing.

Each chart has a ``<title>`` and a ``<desc>`` that say in words what the bars show (the PDF's
Figure gets its alternative text from the title; screen readers on the HTML page read both), and
every label is escaped. Colours follow the product's legend; the segments also carry the shape in
the legend beside the chart, so colour is never the only cue.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from app.domain.documents.shapes import Distribution
from app.domain.vocabulary import Standing

FILLS = {
    Standing.GREEN: "#2b8a3e",
    Standing.YELLOW: "#f0b400",
    Standing.RED: "#c92a2a",
    Standing.OPTED_OUT: "#868e96",
    Standing.NOT_REPORTED: "#dee2e6",
    Standing.UNCONFIRMED: "#a5d8ff",
}
_LABEL_WIDTH = 64
_BAR_WIDTH = 400
_ROW_HEIGHT = 22
_BAR_HEIGHT = 14


@dataclass(frozen=True)
class Bar:
    label: str
    distribution: Distribution


def describe(distribution: Distribution) -> str:
    """The counts in words, for the chart's text alternative."""
    parts = [f"{count} {standing.label.lower()}" for standing, count in distribution.parts if count]
    return ", ".join(parts) if parts else "ingen rækker"


def stacked_bars(title: str, bars: Sequence[Bar]) -> str:
    """An SVG with one stacked bar per ``Bar``, each segment as wide as its share of the row."""
    height = _ROW_HEIGHT * len(bars) + 6
    width = _LABEL_WIDTH + _BAR_WIDTH + 8
    desc = "; ".join(f"{bar.label}: {describe(bar.distribution)}" for bar in bars)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
    ]
    for index, bar in enumerate(bars):
        y = 3 + index * _ROW_HEIGHT
        out.append(
            f'<text x="{_LABEL_WIDTH - 6}" y="{y + _BAR_HEIGHT - 3}" text-anchor="end" font-size="10" '
            f'fill="#212529">{escape(bar.label)}</text>'
        )
        total = bar.distribution.total
        x = float(_LABEL_WIDTH)
        for standing, count in bar.distribution.parts:
            if not count or not total:
                continue
            segment = _BAR_WIDTH * count / total
            out.append(
                f'<rect x="{x:.2f}" y="{y}" width="{segment:.2f}" height="{_BAR_HEIGHT}" fill="{FILLS[standing]}"/>'
            )
            if segment >= 14:
                ink = "#ffffff" if standing in (Standing.GREEN, Standing.RED, Standing.OPTED_OUT) else "#212529"
                out.append(
                    f'<text x="{x + segment / 2:.2f}" y="{y + _BAR_HEIGHT - 3}" text-anchor="middle" '
                    f'font-size="9" fill="{ink}">{count}</text>'
                )
            x += segment
        if not total:
            out.append(f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{_BAR_WIDTH}" height="{_BAR_HEIGHT}" fill="#f1f3f5"/>')
    out.append("</svg>")
    return "".join(out)
