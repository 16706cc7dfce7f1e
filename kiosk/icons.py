"""The app's own icons: small inline SVGs (no icon font, no third-party request).

Each icon is decorative (``aria-hidden``): every control that shows one also has a text label.
"""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

#: SVG path data on a 24x24 grid, drawn for this app, by icon name (``icons.json``).
PATHS: dict[str, str] = json.loads(Path(__file__).with_name("icons.json").read_text(encoding="utf-8"))

#: The icon of each mission category's tile.
CATEGORY_ICONS = {"mental-health": "mind", "childcare": "child", "abuse": "shield", "housing": "house"}


def icon(name: str, css_class: str = "icon") -> Markup:
    """The inline SVG of icon ``name``, hidden from assistive technology."""
    return Markup(
        f'<svg class="{css_class}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f'<path fill="currentColor" d="{PATHS[name]}"/></svg>'
    )
