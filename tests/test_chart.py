"""The gap report's SVG bar chart: whole-number ticks, bars to scale, text escaped, no style."""

from __future__ import annotations

import re

from kiosk.admin.chart import bar_chart


def _ticks(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end"[^>]*>([^<]+)<', svg)


def test_ticks_are_distinct_whole_numbers() -> None:
    for top_value, expected in ((0, ["0", "1"]), (1, ["0", "1"]), (2, ["0", "1", "2"]),
                                (7, ["0", "2", "4", "6", "8", "10"]), (18, ["0", "5", "10", "15", "20"])):
        svg = str(bar_chart(["a"], [("searches", [top_value])], title="t", description="d"))
        assert _ticks(svg) == expected, (top_value, _ticks(svg))


def test_bars_scale_and_text_is_escaped() -> None:
    svg = str(bar_chart(["w1", "w2"], [("<b>s</b>", [5, 10])], title="<t>", description="d & e"))
    heights = [float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#1f5f99"><title>', svg)]
    assert heights[1] == 2 * heights[0]
    assert "<b>" not in svg and "&lt;t&gt;" in svg and "d &amp; e" in svg
    assert "style=" not in svg and "<script" not in svg
