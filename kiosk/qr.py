"""QR codes as a path-based SVG (sized by CSS) and a PNG (for print), made with ``qrcode``.

``qrcode``'s own SVG factory tries all eight mask patterns and builds the XML element by element
(about 50 ms for a 200-character link here). This module takes the module matrix with one fixed
mask pattern (any mask is valid, every reader applies the one named in the code's format bits)
and writes one ``<path>`` with a run of dark modules per ``h``/``v`` segment, and the PNG straight
from the matrix's bytes. The tests decode every code with zbar.

Text that is not ASCII goes in one byte segment after an ECI designator for UTF-8 (ECI 26), so
readers do not have to guess the character set (zbar, for one, guesses Shift JIS for short
Spanish text without it).
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode import base, util
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

#: The fixed mask pattern (0..7).
MASK_PATTERN = 4
#: Light modules around the code (the quiet zone the standard asks for).
BORDER = 4
#: Smallest side of the PNG in pixels (each module at least this / modules, whole pixels).
PNG_SIDE = 600


_ECI_MODE = 0b0111
_ECI_UTF8 = 26


def _utf8_codewords(data: bytes, version: int) -> list[int] | None:
    """The codewords of ``data`` as ECI 26 + one byte segment in ``version``, or None when it
    does not fit (the steps of ``qrcode.util.create_data`` with the ECI header in front)."""
    buffer = util.BitBuffer()
    buffer.put(_ECI_MODE, 4)
    buffer.put(_ECI_UTF8, 8)
    buffer.put(util.MODE_8BIT_BYTE, 4)
    buffer.put(len(data), util.length_in_bits(util.MODE_8BIT_BYTE, version))
    for byte in data:
        buffer.put(byte, 8)
    blocks = base.rs_blocks(version, ERROR_CORRECT_M)
    limit = sum(block.data_count * 8 for block in blocks)
    if len(buffer) > limit:
        return None
    for _ in range(min(limit - len(buffer), 4)):
        buffer.put_bit(False)
    while len(buffer) % 8:
        buffer.put_bit(False)
    for i in range((limit - len(buffer)) // 8):
        buffer.put(util.PAD0 if i % 2 == 0 else util.PAD1, 8)
    return util.create_bytes(buffer, blocks)


def _utf8_code(payload: str) -> qrcode.QRCode:
    data = payload.encode("utf-8")
    for version in range(1, 41):
        codewords = _utf8_codewords(data, version)
        if codewords is not None:
            code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=BORDER,
                                 mask_pattern=MASK_PATTERN)
            code.data_cache = codewords
            code.makeImpl(False, MASK_PATTERN)
            return code
    raise DataOverflowError("too long for a QR code")


def matrix(payload: str) -> list[list[bool]]:
    """The modules of ``payload``'s code (dark = True), with the quiet zone."""
    if not payload.isascii():
        return _utf8_code(payload).get_matrix()
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
