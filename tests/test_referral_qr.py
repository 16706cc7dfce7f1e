"""kiosk.qr: every code decodes with zbar to exactly its payload (links, accented Spanish text up
to the text-mode limit, MECARD, tel:), and the SVG path draws exactly the matrix's modules."""

from __future__ import annotations

import io
import random
import re
import secrets
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from directory_data.referrals import MAX_TEXT_BYTES
from kiosk import qr

SPANISH = "áéíóúñüÁÉÍÓÚÑ¿¡ Niños, atención, consejería, guardería, teléfono, dirección "


def _decoded(png: bytes) -> list[str]:
    return [s.data.decode("utf-8") for s in decode(Image.open(io.BytesIO(png)))]


def _payloads() -> list[str]:
    rng = random.Random(7)
    links = [f"https://help.example.org/r/{secrets.token_urlsafe(16)}" for _ in range(20)]
    texts = []
    for size in (20, 80, 200, 400, MAX_TEXT_BYTES // 2):
        words = "".join(rng.choice(SPANISH) for _ in range(size))
        texts.append(f"Recursos comunitarios\n{words}\n(407) 555-0100")
    return [*links, *texts, "tel:988", "tel:+18007997233",
            "MECARD:N:Sanford Housing Help Desk;TEL:+14075550133;ADR:300 N Park Ave\\, Sanford;;",
            "https://help.example.org/r/" + "x" * 173]


@pytest.mark.parametrize("payload", _payloads())
def test_png_decodes_to_exactly_the_payload(payload: str) -> None:
    svg, png = qr.render(payload)
    assert _decoded(png) == [payload]


def test_the_longest_text_referral_decodes() -> None:
    text = ("Señora Peña, atención 24 horas. " * 40).encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    assert _decoded(qr.render(text)[1]) == [text]


def _painted(svg: str) -> list[list[bool]]:
    root = ET.fromstring(svg)
    size = int(root.get("viewBox").split()[2])
    grid = [[False] * size for _ in range(size)]
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        for column in range(int(x), int(x) + int(width)):
            grid[int(y)][column] = True
    return grid


def test_svg_path_draws_the_matrix_and_is_sized_by_css() -> None:
    payload = "https://help.example.org/r/" + secrets.token_urlsafe(16)
    svg, _ = qr.render(payload)
    assert _painted(svg) == qr.matrix(payload)
    root = ET.fromstring(svg)
    assert root.get("width") is None and root.get("height") is None and root.get("class") == "qr"
    assert "<script" not in svg and "style=" not in svg  # nothing the CSP would refuse
