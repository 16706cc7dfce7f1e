"""A bar chart as inline SVG, drawn on the server: no script, no CDN, no inline style (colours
are SVG presentation attributes, which the Content-Security-Policy allows)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

#: Bar colours per series, dark enough for 3:1 contrast against white (WCAG 1.4.11).
COLOURS = ("#1f5f99", "#8a4b08", "#3d6b22", "#6b2d7a")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 44


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that is at least ``value``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _tick_count(top: int) -> int:
    """How many steps the value axis has so that every tick is a whole number."""
    for steps in (4, 5):
        if top % steps == 0:
            return steps
    return top if top <= 4 else 2


def bar_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, title: str,
    description: str,
) -> Markup:
    """Grouped bars: one group per label, one bar per series; the title and description name it
    for screen readers (the page also shows the numbers as a table)."""
    top = _nice_ceiling(max([1, *(v for _, values in series for v in values)]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    ticks = _tick_count(top)
    for i in range(ticks + 1):
        value = top * i // ticks
        y = TOP + plot_h - plot_h * i / ticks
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#767676" stroke-width="0.5"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#1a1a1a">{value}</text>')
    every = max(1, len(labels) // 8)
    for g, label in enumerate(labels):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series):
            value = values[g] if g < len(values) else 0
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(label)}: '
                f'{escape(name)} {value}</title></rect>')
        if g % every == 0:
            parts.append(f'<text x="{LEFT + g * group_w + group_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle" font-size="11" fill="#1a1a1a">{escape(label)}</text>')
    for s, (name, _) in enumerate(series):
        x = LEFT + s * 140
        parts.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="12" height="12" '
                     f'fill="{COLOURS[s % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 16}" y="{HEIGHT - 6}" font-size="12" fill="#1a1a1a">'
                     f'{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
