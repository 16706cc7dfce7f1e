"""The app's own icons: small inline SVGs (no icon font, no third-party request).

Each icon is decorative (``aria-hidden``): every control that shows one also has a text label.
"""

from __future__ import annotations

from markupsafe import Markup

#: SVG path data on a 24x24 grid, drawn for this app.
PATHS: dict[str, str] = {
    "home": "M12 3 2 11h3v10h6v-6h2v6h6V11h3z",
    "globe": "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.9 9h-3a15 15 0 0 0-1.3-5.6A8 8 0 0 1 18.9 11zM12 4c.9 1.2 1.8 3.6 2 7h-4c.2-3.4 1.1-5.8 2-7zM9.4 5.4A15 15 0 0 0 8.1 11h-3a8 8 0 0 1 4.3-5.6zM5.1 13h3a15 15 0 0 0 1.3 5.6A8 8 0 0 1 5.1 13zM12 20c-.9-1.2-1.8-3.6-2-7h4c-.2 3.4-1.1 5.8-2 7zm2.6-1.4a15 15 0 0 0 1.3-5.6h3a8 8 0 0 1-4.3 5.6z",
    "text": "M3 5h10v3h-3.5v11h-3V8H3zm11 6h7v2.5h-2V19h-3v-5.5h-2z",
    "contrast": "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2v16a8 8 0 0 1 0-16z",
    "list": "M4 5h2v2H4zm4 0h12v2H8zM4 11h2v2H4zm4 0h12v2H8zM4 17h2v2H4zm4 0h12v2H8z",
    "exit": "M10 3h10v18H10v-2h8V5h-8zm1.6 4.6L13 6.2 18.8 12 13 17.8l-1.4-1.4 3.4-3.4H4v-2h11z",
    "mind": "M12 21s-8-5.3-8-11a5 5 0 0 1 8-4 5 5 0 0 1 8 4c0 5.7-8 11-8 11z",
    "child": "M12 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM7 10h10l-1.5 6H14v6h-4v-6H8.5z",
    "shield": "M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5zm0 2.2 6 2.2V11c0 3.9-2.5 7.4-6 8.9-3.5-1.5-6-5-6-8.9V6.4z",
    "house": "M12 3 2 12h3v9h14v-9h3zm-2 16v-5h4v5z",
    "phone": "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z",
    "search": "M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z",
    "plus": "M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z",
    "check": "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
    "pin": "M12 2a7 7 0 0 0-7 7c0 5.3 7 13 7 13s7-7.7 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z",
    "message": "M4 3h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H8l-5 4V4a1 1 0 0 1 1-1zm3 5v2h10V8zm0 4v2h7v-2z",
    "clock": "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.3V7z",
}

#: The icon of each mission category's tile.
CATEGORY_ICONS = {"mental-health": "mind", "childcare": "child", "abuse": "shield", "housing": "house"}


def icon(name: str, css_class: str = "icon") -> Markup:
    """The inline SVG of icon ``name``, hidden from assistive technology."""
    return Markup(
        f'<svg class="{css_class}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f'<path fill="currentColor" d="{PATHS[name]}"/></svg>'
    )
