"""How a phone number is shown and dialled: ``("(407) 555-0134", "+14075550134")``."""

from __future__ import annotations

import contextlib

import phonenumbers


def phone_display(number: str) -> tuple[str, str]:
    """``(shown, dialled)`` for ``number``: ``("(407) 555-0134", "+14075550134")``.

    Short codes (911, 988, 211) and numbers phonenumbers cannot read are kept as written, with
    only their digits dialled.
    """
    digits = "".join(c for c in number if c.isdigit())
    parsed = None
    if len(digits) > 6:
        with contextlib.suppress(phonenumbers.NumberParseException):
            parsed = phonenumbers.parse(number, "US")
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return number.strip(), digits
    shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    if parsed.extension:
        shown = shown.replace(" ext. ", " ext ")
    dialled = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return shown, dialled
