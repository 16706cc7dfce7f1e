"""QR codes as a path-based SVG (sized by CSS) and a PNG (for print), made with ``qrcode``.

``qrcode``'s SVG factory tries all eight mask patterns and builds the XML element by element
(about 50 ms for a 200-character link here). This module uses one fixed mask (any is valid: a
reader applies the one the format bits name), writes one ``<path>`` of runs of dark modules and
the PNG straight from the matrix's bytes (the tests decode every code with zbar). Every payload
is one byte segment, packed in one go; text that is not ASCII is preceded by an ECI designator
for UTF-8 (ECI 26), so readers need not guess (zbar guesses Shift JIS for short Spanish text).
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from markupsafe import Markup
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


_ECI_HEADER = "0111" + "00011010"  # ECI mode, designator 26: UTF-8
_BYTE_MODE = "0100"
_PADS = ("11101100", "00010001")


def _capacity_bits(version: int) -> int:
    return sum(block.data_count * 8 for block in base.rs_blocks(version, ERROR_CORRECT_M))


def _data_bits(data: bytes, version: int, utf8: bool) -> str:
    """The segment bits of ``data``: the ECI header when ``utf8``, then one byte segment."""
    count = util.length_in_bits(util.MODE_8BIT_BYTE, version)
    head = (_ECI_HEADER if utf8 else "") + _BYTE_MODE + format(len(data), f"0{count}b")
    return head + "".join(f"{byte:08b}" for byte in data)


def _codewords(bits: str, version: int) -> list[int]:
    """The data and error-correction codewords of ``bits`` in ``version`` (terminator and
    padding as ``qrcode.util.create_data`` adds them, without writing bit by bit)."""
    limit = _capacity_bits(version)
    bits += "0" * min(limit - len(bits), 4)
    bits += "0" * (-len(bits) % 8)
    pads = (limit - len(bits)) // 8
    bits += "".join(_PADS[i % 2] for i in range(pads))
    buffer = util.BitBuffer()
    buffer.buffer = list(int(bits, 2).to_bytes(len(bits) // 8, "big"))
    buffer.length = len(bits)
    return util.create_bytes(buffer, base.rs_blocks(version, ERROR_CORRECT_M))


def _code(payload: str) -> qrcode.QRCode:
    """The smallest code holding ``payload`` as one byte segment (UTF-8 flagged by ECI 26 when
    it is not ASCII), with the fixed mask."""
    data = payload.encode("utf-8")
    utf8 = not payload.isascii()
    header = len(_BYTE_MODE) + (len(_ECI_HEADER) if utf8 else 0)
    for version in range(1, 41):
        count = util.length_in_bits(util.MODE_8BIT_BYTE, version)
        if header + count + 8 * len(data) <= _capacity_bits(version):
            bits = _data_bits(data, version, utf8)
            code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=BORDER,
                                 mask_pattern=MASK_PATTERN)
            code.data_cache = _codewords(bits, version)
            code.makeImpl(False, MASK_PATTERN)
            return code
    raise DataOverflowError("too long for a QR code")


def matrix(payload: str) -> list[list[bool]]:
    """The modules of ``payload``'s code (dark = True), with the quiet zone."""
    return _code(payload).get_matrix()


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


@lru_cache(maxsize=512)
def svg_markup(payload: str) -> Markup:
    """The SVG of ``payload``'s code for a page (kept per process: a detail page shows the same
    few "scan to call" and directions codes to every visitor, 1-2 ms of CPU each to draw: a fifth
    of the page's time)."""
    return Markup(svg_from_matrix(matrix(payload)))
