"""QR codes as a path-based SVG (sized by CSS) and a PNG (for print), made with ``qrcode``.

``qrcode``'s own SVG factory tries all eight mask patterns and builds the XML element by element
(about 50 ms for a 200-character link here). This module takes the module matrix with one fixed
mask pattern (any mask is valid, every reader applies the one named in the code's format bits)
and writes one ``<path>`` with a run of dark modules per ``h``/``v`` segment, and the PNG straight
from the matrix's bytes. The tests decode every code with zbar.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

#: The fixed mask pattern (0..7).
MASK_PATTERN = 4
#: Light modules around the code (the quiet zone the standard asks for).
BORDER = 4
#: Smallest side of the PNG in pixels (each module at least this / modules, whole pixels).
PNG_SIDE = 600


def matrix(payload: str) -> list[list[bool]]:
    """The modules of ``payload``'s code (dark = True), with the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK_PATTERN)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def svg_from_matrix(modules: list[list[bool]]) -> str:
    """An SVG of ``modules``: a white square and one path; its size comes from CSS (viewBox)."""
    size = len(modules)
    parts = []
    for y, row in enumerate(modules):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges" aria-hidden="true" focusable="false">'
            f'<rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(parts)}"/></svg>')


def png_from_matrix(modules: list[list[bool]]) -> bytes:
    """A black-on-white PNG of ``modules``, each module a square of whole pixels."""
    size = len(modules)
    scale = max(4, -(-PNG_SIDE // size))
    raw = bytes(0 if dark else 255 for row in modules for dark in row)
    image = Image.frombytes("L", (size, size), raw).resize((size * scale, size * scale),
                                                           Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def render(payload: str) -> tuple[str, bytes]:
    """``(svg, png)`` of ``payload``'s code, from one matrix."""
    modules = matrix(payload)
    return svg_from_matrix(modules), png_from_matrix(modules)
