"""Server-side SVG charts: no JavaScript, no CDN, readable at a glance, printable. Each chart
is a plain function of labels and series; the page shows the same data as a table and CSV."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#1f4e5f", "#e0a030", "#6a9a5b", "#b5523b", "#7b6ca8", "#4c8fb5"]


def _fmt(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:g}" if isinstance(value, float) else str(value)


def bars(labels, series, *, title, width=640, height=260, line=None):
    """Grouped vertical bars. `series`: [(name, values)]; `line`: (name, values) drawn over."""
    left, right, top, bottom = 48, 10, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    all_values = [v for _n, vals in series for v in vals] + (list(line[1]) if line else [])
    peak = max([v for v in all_values if v is not None] or [1]) or 1
    n, k = max(len(labels), 1), max(len(series), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.8 / k, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for step in range(5):
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e3e6ea"/><text x="{left - 4}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="10" fill="#555">{_fmt(peak * step / 4)}</text>'
        )
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        for i, value in enumerate(values):
            if not value:
                continue
            h = plot_h * value / peak
            x = left + i * slot + slot * 0.1 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{escape(labels[i])} · '
                f"{escape(name)}: {value:,}</title></rect>"
            )
    if line:
        points = " ".join(
            f"{left + i * slot + slot / 2:.1f},{top + plot_h - plot_h * v / peak:.1f}"
            for i, v in enumerate(line[1])
            if v is not None
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#b5523b" stroke-width="2.5"/>'
        )
    for i, label in enumerate(labels):
        if n > 16 and i % 2:
            continue
        parts.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle" font-size="10" fill="#333">{escape(label)}</text>'
        )
    legend = [*series, *([line] if line else [])]
    x = left
    for s, (name, _values) in enumerate(legend):
        color = "#b5523b" if line and s == len(legend) - 1 else PALETTE[s % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="17" font-size="11" fill="#333">{escape(name)}</text>'
        )
        x += 24 + 7 * len(str(name))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def hbars(labels, values, *, title, width=640, row=20, compare=None):
    """Horizontal bars (top markets): `compare` an optional second value per row (last year)."""
    left, right, top = 150, 60, 8
    height = top * 2 + row * len(labels)
    plot_w = width - left - right
    peak = max([*values, *(compare or [])] or [1]) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 30)}" '
        f'role="img" class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        w = plot_w * value / peak
        parts.append(
            f'<text x="{left - 6}" y="{y + row * 0.7:.1f}" text-anchor="end" '
            f'font-size="11" fill="#333">{escape(label[:24])}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0]}"/><text x="{left + w + 4:.1f}" y="{y + row * 0.7:.1f}" '
            f'font-size="10" fill="#555">{_fmt(value)}</text>'
        )
        if compare:
            cw = plot_w * compare[i] / peak
            parts.append(
                f'<line x1="{left + cw:.1f}" x2="{left + cw:.1f}" y1="{y + 1}" '
                f'y2="{y + row - 1}" stroke="{PALETTE[1]}" stroke-width="3"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
