"""Text-only numbers: the word a resident sends to one, read from the phone's description.

HSDS has no field for a text line's keyword; listings write it in the phone's description
("Text START" for the domestic violence hotline's 88788, "Text 233733 (BEFREE)"). A kiosk then
says "Text START to 88788" instead of showing a short code as a number to call.
"""

from __future__ import annotations

import re

#: A word right after "text" (or "send", "envíe" ...): the keyword, unless it is a number or a
#: small word ("Text us", "Text a message").
_AFTER_VERB = re.compile(
    r"\b(?:text|send|sms|env[ií]e|env[ií]a|escriba|mande)\s+[\"“'‘]?([A-Za-z][A-Za-z0-9-]{0,19})\b",
    re.IGNORECASE,
)
#: A word in capitals anywhere ("Text 233733 (BEFREE)").
_CAPITALS = re.compile(r"\b([A-Z][A-Z0-9-]{1,19})\b")
_NOT_KEYWORDS = frozenset({
    "a", "an", "the", "us", "me", "to", "at", "or", "and", "message", "messages", "text", "al",
    "un", "una", "el", "la", "mensaje", "mensajes", "de", "texto", "sms", "tty", "tdd", "asl",
    "only", "solo", "hours", "horas",
})


def text_keyword(description: str | None) -> str | None:
    """The keyword to text, as written in ``description`` (``"START"`` from ``"Text START"``),
    or None when it names none."""
    if not description:
        return None
    for pattern in (_AFTER_VERB, _CAPITALS):
        for match in pattern.finditer(description):
            word = match.group(1)
            if word.lower() not in _NOT_KEYWORDS and not word.isdigit():
                return word
    return None
