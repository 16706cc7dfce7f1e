"""Text repairs for the damage real HSDS exports carry.

What :func:`clean_text` repairs (worked out from the Miami 211 export):

* **Double-encoded punctuation.** The text went UTF-8 bytes -> decoded as CP437 (the DOS code
  page) -> stored with Windows "best fit" substitutions for the CP437 characters a Windows code
  page lacks. So the three UTF-8 bytes of ’ (``E2 80 99``) became ``Γ Ç Ö`` and then ``GÇÖ``
  (best fit turns Γ into ``G``); two-byte letters lost their lead byte's box-drawing character to
  ``+`` (``C3`` is ``├``) or ``-`` (``C2`` is ``┬``): ``C+íncer`` is Cáncer, ``1987-áas`` has a
  non-breaking space. The repair maps each character back to its CP437 byte and decodes the
  bytes as UTF-8: ``GÇÖ`` ’, ``GÇÿ`` ‘, ``GÇ£``/``GÇ¥`` “ ”, ``GÇô``/``GÇö`` – —, ``GÇª`` …,
  ``GÇæ`` non-breaking hyphen, ``GÇï`` zero-width space (dropped). Best fit merged several
  characters into one (``⌐`` and ``¬`` both show as ``¬``; ``▒``, ``│`` and ``║`` as ``¦``), so
  ``+¬`` is read as é and ``+¦`` as ñ, ó or ú from the letters around it. Cp1252 characters that
  were decoded as Latin-1 on the way (``-Æ`` U+0092) are read as cp1252 (’).
* **Literal escapes**: the two characters ``\\n`` (and ``\\r\\n``, ``\\t``) become real ones.
* **Internal markers** such as ``###MON###`` and ``###COL###`` (Miami's source-system tags) are
  removed.
* **Padding**: fields are stripped, trailing spaces on lines removed, runs of blank lines
  collapsed, and non-breaking and zero-width spaces normalised.
"""

from __future__ import annotations

import re

__all__ = ["clean_line", "clean_text", "repair_mojibake"]

_CP437_BYTE: dict[str, int] = {bytes([b]).decode("cp437"): b for b in range(0x80, 0x100)}
#: Characters Windows "best fit" produced for CP437 characters cp1252 lacks, with the CP437
#: byte each most often stood for in the continuation range of UTF-8 (0x80-0xBF).
_BEST_FIT_BYTE = {"¬": 0xA9}

_THREE_BYTE = re.compile(r"G([^\x00-\x7f])([^\x00-\x7f])")
_TWO_BYTE = re.compile(r"([+-])([^\x00-\x7f])")
_C1 = re.compile(r"[\x80-\x9f]+")
_MARKER = re.compile(r"#{2,}\s*[A-Z]{2,6}\s*#{2,}")
_ESCAPES = re.compile(r"\\r\\n|\\n|\\r|\\t")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_TRAILING = re.compile(r"[ \t]+\n")
_SPACES = re.compile(r"[ \t\u00a0]+")

_VOWELS = set("aeiouáéíóú")
#: Spanish words whose ``+¦`` is ú (the default is ó, or ñ between vowels).
_U_WORDS = re.compile(
    r"^(p\?blic|n\?mer|m\?sic|re\?n|\?til|\?nic|\?ltim|segu?\?n|alg\?n|ning\?n|com\?n|men\?$"
    r"|act\?a|contin\?a|eval\?a|grad\?a|m\?lti|est\?pid|j\?ven|s\?per)",
)


def _byte(ch: str) -> int | None:
    b = _BEST_FIT_BYTE.get(ch)
    return _CP437_BYTE.get(ch) if b is None else b


def _three(match: re.Match[str]) -> str:
    b1, b2 = _byte(match.group(1)), _byte(match.group(2))
    if b1 is None or b2 is None or not (0x80 <= b1 <= 0xBF and 0x80 <= b2 <= 0xBF):
        return match.group(0)
    try:
        return bytes([0xE2, b1, b2]).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def _two_byte_lead(text: str, start: int, end: int) -> str:
    """The letter ``+¦`` stood for, judged from the word it is in (ñ, ó or ú)."""
    left = start
    while left > 0 and (text[left - 1].isalpha() or text[left - 1] == "¦"):
        left -= 1
    right = end
    while right < len(text) and (text[right].isalpha() or text[right] == "¦"):
        right += 1
    word = (text[left:start] + "?" + text[end:right]).lower()
    if _U_WORDS.search(word):
        return "ú"
    before = text[start - 1].lower() if start > 0 else ""
    after = text[end].lower() if end < len(text) else ""
    if before in _VOWELS and after in _VOWELS:
        return "ñ"
    return "ó"


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 -> CP437 double encoding (see the module docstring)."""
    if text.isascii():
        return text
    text = _THREE_BYTE.sub(_three, text)

    out: list[str] = []
    pos = 0
    for match in _TWO_BYTE.finditer(text):
        lead, ch = match.group(1), match.group(2)
        if lead == "+" and ch == "¦":
            out.append(text[pos : match.start()])
            out.append(_two_byte_lead(text, match.start(), match.end()))
            pos = match.end()
            continue
        b = _byte(ch)
        if b is None or not 0x80 <= b <= 0xBF:
            continue
        out.append(text[pos : match.start()])
        out.append(bytes([0xC3 if lead == "+" else 0xC2, b]).decode("utf-8"))
        pos = match.end()
    if pos:
        out.append(text[pos:])
        text = "".join(out)
    if _C1.search(text):
        text = _C1.sub(_c1, text)
    return text


def _c1(match: re.Match[str]) -> str:
    """C1 control characters: cp1252 read as Latin-1, or the tail of a UTF-8 sequence."""
    run = match.group(0)
    result: list[str] = []
    i = 0
    while i < len(run):
        if run[i] == "\x80" and i + 1 < len(run):
            try:
                result.append(bytes([0xE2, 0x80, ord(run[i + 1])]).decode("utf-8"))
                i += 2
                continue
            except UnicodeDecodeError:
                pass
        if run[i] != "\x80":
            try:
                result.append(bytes([ord(run[i])]).decode("cp1252"))
            except UnicodeDecodeError:
                pass
        i += 1
    return "".join(result)


def clean_text(value: object) -> str | None:
    """Repaired, trimmed text; ``None`` for blank values. Keeps paragraphs (newlines)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and "\\" not in text and "##" not in text and "\r" not in text:
        text = text.strip()
        if "\n" in text:
            text = _TRAILING.sub("\n", text)
            text = _BLANK_LINES.sub("\n\n", text)
        return text or None
    text = repair_mojibake(text)
    if "\\" in text:
        text = _ESCAPES.sub(lambda m: "\t" if m.group(0) == "\\t" else "\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "##" in text:
        text = _MARKER.sub("", text)
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u2011", "-")
    text = text.replace("\u00a0", " ")
    text = _TRAILING.sub("\n", text + "\n")
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return text or None


def clean_line(value: object) -> str | None:
    """Like :func:`clean_text` for one-line fields (names, cities): whitespace collapsed."""
    if value.__class__ is str:
        if not value:
            return None  # the most common value of all: an empty CSV field
        if value.isascii() and "\\" not in value and "##" not in value:
            if "  " in value or "\n" in value or "\t" in value or "\r" in value:
                return " ".join(value.split()) or None
            return value.strip() or None
    elif value is None:
        return None
    text = clean_text(value)
    if text is None:
        return None
    return _SPACES.sub(" ", " ".join(text.split())) or None
