"""Charts drawn on the server as SVG: the pages need no JavaScript to show them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

Number = int | float | Decimal

_BAR = "#2f6fb0"
_SHORT = "#c0392b"
_LINE = "#d35400"


def columns(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    title: str,
    line: Number | None = None,
    line_label: str = "",
    width: int = 560,
    height: int = 220,
) -> Markup:
    """Vertical bars, one per label, with an optional horizontal line (a duty, a threshold);
    a bar under the line is drawn red."""
    top = max([float(v) for v in values] + [float(line or 0), 1.0]) * 1.15
    left, bottom, plot_h = 40, 30, height - 50
    step = (width - left - 10) / max(len(values), 1)
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * float(value) / top
        x = left + i * step + step * 0.15
        colour = _SHORT if line is not None and float(value) < float(line) else _BAR
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom - h - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{value}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 14:.1f}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if line is not None:
        y = height - bottom - plot_h * float(line) / top
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_LINE}" '
            f'stroke-dasharray="6 4" stroke-width="2"/>'
            f'<text x="{left + 2}" y="{y - 4:.1f}" font-size="11" fill="{_LINE}">{escape(line_label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - 10}" y1="{height - bottom}" y2="{height - bottom}" stroke="#555"/>'
    )
    return Markup("".join(parts) + "</svg>")  # noqa: S704 - every text in it is escaped above


def rows(items: Sequence[tuple[str, Number, Number]], *, title: str, width: int = 560) -> Markup:
    """Horizontal bars, each a score against its maximum (the maximum drawn as the bar's track)."""
    label_w, row_h = 200, 20
    height = row_h * len(items) + 10
    span = width - label_w - 70
    parts = [_open(width, height, title)]
    for i, (label, value, maximum) in enumerate(items):
        y = 5 + i * row_h
        full = span
        done = span * float(value) / float(maximum) if maximum else 0
        colour = _SHORT if maximum and float(value) < float(maximum) * 0.6 else _BAR
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{full:.1f}" height="13" fill="#e5e8ec"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{done:.1f}" height="13" fill="{colour}">'
            f"<title>{escape(label)}: {value} / {maximum}</title></rect>"
            f'<text x="{label_w + full + 6}" y="{y + 13}" font-size="11">{value} / {maximum}</text>'
        )
    return Markup("".join(parts) + "</svg>")  # noqa: S704 - every text in it is escaped above


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
