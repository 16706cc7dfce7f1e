"""Field validation with field-level messages, for the HSDS importer and the caseworker forms.

Every parser takes the raw value and the name of the field it came from, and returns
``(value, errors)``: the cleaned value (``None`` when there is nothing usable) and a list of
:class:`FieldError` explaining what was wrong, in words a caseworker understands. Nothing here
raises for bad input, so one bad field never stops a whole row or a whole import.

Parsers:

* :func:`parse_phone` -- US and international numbers (``phonenumbers``, default region US),
  extensions (``x123``, ``ext. 123``), the N11 codes (211, 311 ... 911) and 988, and SMS short
  codes (5 or 6 digits such as 88788 or 741741).
* :func:`normalize_url` -- adds a missing ``https://``, lower-cases the host, rejects junk.
* :func:`normalize_email`.
* :func:`parse_coordinates` -- latitude -90..90, longitude -180..180, and not the 0,0 placeholder.
* :func:`parse_time` / :func:`parse_weekday` / :func:`parse_weekdays` -- opening hours in the
  forms real exports use (``8:00am``, ``5:00 PM``, ``3pm``, ``830am``, ``17:00``, ``17:00:00``).
* :func:`parse_date` -- ISO and US formats; the placeholder year 0001 means "no date".
* :func:`parse_time_zone` -- IANA time zone names (``America/New_York``).
* :func:`parse_language` -- ISO 639 codes from language names ("Spanish" -> ``es``,
  "Haitian Creole" -> ``ht``, "American Sign Language" -> ``ase``), keeping the name.
* :func:`parse_int`, :func:`parse_bool`, :func:`parse_decimal` -- small helpers for numeric fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import available_timezones

import phonenumbers

__all__ = [
    "FieldError",
    "LanguageValue",
    "PhoneValue",
    "language_code",
    "normalize_email",
    "normalize_url",
    "parse_bool",
    "parse_coordinates",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_language",
    "parse_phone",
    "parse_time",
    "parse_time_zone",
    "parse_weekday",
    "parse_weekdays",
]


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: which field, and what is wrong with it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

#: Three-digit numbers dialled as they are in the US: 211 (community services), 311, 411,
#: 511, 611, 711 (relay), 811, 911 and 988 (Suicide & Crisis Lifeline).
SERVICE_CODES = frozenset({"211", "311", "411", "511", "611", "711", "811", "911", "988"})

_EXTENSION = re.compile(r"\s*(?:,|;)?\s*(?:ext\.?|extension|x|#)\s*(\S.*)$", re.IGNORECASE)
_SHORT_CODE = re.compile(r"\d{5,6}")
_STAR_CODE = re.compile(r"[0\s().-]*([*#]\d{2,4})")
_NON_DIGIT = re.compile(r"\D")
_BARE_NUMBER = re.compile(r"[\d\s().-]+")
_THREE_DIGITS = re.compile(r"\d{3}")


@dataclass(frozen=True)
class PhoneValue:
    """A parsed phone number.

    ``number`` is formatted for display: ``(305) 573-4200`` for US numbers, the international
    form (``+44 1234 234567``) otherwise, and the digits themselves for service and short codes.
    ``extension_text`` keeps a non-numeric extension (``OPT2``) that does not fit ``extension``.
    """

    number: str
    extension: int | None = None
    extension_text: str | None = None
    kind: str = "number"  # "number", "service-code" or "short-code"


def parse_phone(
    value: object, field: str = "number", *, region: str = "US", extension: object = None
) -> tuple[PhoneValue | None, list[FieldError]]:
    """Parse a phone number; ``extension`` may come from a separate column.

    Zero-padded short numbers (``000-000-0211``, ``000-074-1741``) are read as the service
    code or text short code they are; mobile star codes (``*347``) are kept as they are.

    >>> parse_phone("305-573-4200 x57471")[0]
    PhoneValue(number='(305) 573-4200', extension=57471, extension_text=None, kind='number')
    """
    if _blank(value):
        return None, [FieldError(field, "no phone number given")]
    text = str(value).strip().strip("\"'").strip()
    ext_text: str | None = None
    match = _EXTENSION.search(text)
    if match and _THREE_DIGITS.search(text[: match.start()]):
        ext_text = match.group(1).strip()
        text = text[: match.start()].strip()
    if not _blank(extension):
        ext_text = str(extension).strip()
    ext_number, ext_note = _split_extension(ext_text)

    star = _STAR_CODE.fullmatch(text)
    if star:
        return PhoneValue(star.group(1), ext_number, ext_note, "service-code"), []
    digits = _NON_DIGIT.sub("", text)
    bare = _BARE_NUMBER.fullmatch(text) is not None
    if bare and digits.startswith("000"):
        digits = digits.lstrip("0")  # zero-padded by the export: 000-000-0211 is 211
        if digits in SERVICE_CODES:
            return PhoneValue(digits, ext_number, ext_note, "service-code"), []
        if _SHORT_CODE.fullmatch(digits):
            return PhoneValue(digits, ext_number, ext_note, "short-code"), []
    if bare and digits in SERVICE_CODES:
        return PhoneValue(digits, ext_number, ext_note, "service-code"), []
    if _SHORT_CODE.fullmatch(text):
        return PhoneValue(text, ext_number, ext_note, "short-code"), []
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, [FieldError(field, f"{str(value).strip()!r} is not a phone number")]
    if parsed.extension and ext_number is None and ext_note is None:
        ext_number, ext_note = _split_extension(parsed.extension)
    parsed.extension = None
    if not phonenumbers.is_valid_number(parsed):
        return None, [FieldError(field, f"{str(value).strip()!r} is not a valid phone number")]
    if parsed.country_code == 1 and phonenumbers.region_code_for_number(parsed) in (
        "US", "CA", None
    ):
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return PhoneValue(shown, ext_number, ext_note), []


def _split_extension(text: str | None) -> tuple[int | None, str | None]:
    if not text:
        return None, None
    cleaned = text.strip().rstrip(".")
    if cleaned.isdigit() and len(cleaned) <= 9:
        return int(cleaned), None
    return None, cleaned


# --------------------------------------------------------------------------------------------
# URLs and e-mail addresses
# --------------------------------------------------------------------------------------------

_HOST = re.compile(
    r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}|localhost"
    r"|\d{1,3}(?:\.\d{1,3}){3}"
)
_BACKSLASHES = re.compile(r"\\+")
_WEB_SCHEME = re.compile(r"(https?):/*", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}"
)


def normalize_url(value: object, field: str = "url") -> tuple[str | None, list[FieldError]]:
    """A web address with a scheme (``https://`` added when missing), or an error for junk.

    Backslashes typed for slashes are repaired, the host is lower-cased. E-mail addresses,
    text with spaces and hosts without a dot are rejected.
    """
    if _blank(value):
        return None, []
    text = str(value).strip().strip("\"'<>").strip()
    original = text
    if _EMAIL.fullmatch(text.removeprefix("mailto:")):
        return None, [FieldError(field, f"{original!r} is an e-mail address, not a web address")]
    text = _BACKSLASHES.sub("/", text)
    web = _WEB_SCHEME.match(text)
    if web:
        text = web.group(1).lower() + "://" + text[web.end():]
    elif _OTHER_SCHEME.match(text):
        return None, [FieldError(field, f"{original!r} is not a web (http or https) address")]
    else:
        text = "https://" + text.lstrip("/")
    if any(ch.isspace() for ch in text):
        return None, [FieldError(field, f"{original!r} is not a web address (it contains spaces)")]
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None, [FieldError(field, f"{original!r} is not a web address")]
    if not host or not _HOST.fullmatch(host.lower()):
        return None, [FieldError(field, f"{original!r} is not a web address (no valid host name)")]
    netloc = host.lower() + (f":{port}" if port else "")
    if parts.username:
        return None, [FieldError(field, f"{original!r} is not a web address")]
    path = parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment)), []


def normalize_email(value: object, field: str = "email") -> tuple[str | None, list[FieldError]]:
    """An e-mail address (``mailto:`` and surrounding spaces removed), or an error."""
    if _blank(value):
        return None, []
    text = str(value).strip().strip("<>").removeprefix("mailto:").strip()
    if not _EMAIL.fullmatch(text) or len(text) > 254:
        return None, [FieldError(field, f"{str(value).strip()!r} is not an e-mail address")]
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}", []


# --------------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------------


def parse_coordinates(
    latitude: object, longitude: object, field: str = "coordinates"
) -> tuple[tuple[float, float] | None, list[FieldError]]:
    """Latitude and longitude as floats, or ``None`` with the reason they are not usable."""
    if _blank(latitude) and _blank(longitude):
        return None, []
    if _blank(latitude) or _blank(longitude):
        return None, [FieldError(field, "only one of latitude and longitude is given")]
    try:
        lat, lon = float(str(latitude).strip()), float(str(longitude).strip())
    except ValueError:
        return None, [FieldError(field, f"{latitude!r}, {longitude!r} are not numbers")]
    if lat != lat or lon != lon:  # NaN
        return None, [FieldError(field, "latitude or longitude is not a number")]
    if not -90 <= lat <= 90:
        return None, [FieldError(field, f"latitude {lat:g} is outside -90..90")]
    if not -180 <= lon <= 180:
        return None, [FieldError(field, f"longitude {lon:g} is outside -180..180")]
    if lat == 0 and lon == 0:
        return None, [FieldError(field, "0,0 is a placeholder, not a location")]
    return (lat, lon), []


# --------------------------------------------------------------------------------------------
# Times, weekdays and dates
# --------------------------------------------------------------------------------------------

_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{1,2}))?(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ap>[ap]\.?\s*m\.?|[ap]|m)?\s*(?:z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_COMPACT_TIME = re.compile(
    r"(?P<h>\d{1,2})(?P<m>\d{2})\s*(?P<ap>[ap]\.?\s*m\.?|[ap])?", re.IGNORECASE
)


def parse_time(value: object, field: str = "time") -> tuple[dt.time | None, list[FieldError]]:
    """A time of day from ``8:00am``, ``5:00 PM``, ``3pm``, ``830am``, ``17:00`` or ``17:00:00``.

    ``noon`` and ``midnight`` are understood; a time zone suffix (``Z``, ``-05:00``) is ignored
    because schedules carry their own time zone. A lone ``m`` (``8:00m``) is taken as no
    meridiem.
    """
    if _blank(value):
        return None, []
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None), []
    text = str(value).strip().lower()
    if text in ("noon", "12 noon", "midday"):
        return dt.time(12, 0), []
    if text in ("midnight", "12 midnight"):
        return dt.time(0, 0), []
    match = _TIME.fullmatch(text) or _COMPACT_TIME.fullmatch(text)
    if match is None:
        return None, [FieldError(field, f"{str(value).strip()!r} is not a time of day")]
    parts = match.groupdict()
    return _finish_time(
        int(parts["h"]), int(parts["m"] or 0), int(parts.get("s") or 0), parts["ap"], value, field
    )


def _finish_time(
    hour: int, minute: int, second: int, meridiem: str | None, value: object, field: str
) -> tuple[dt.time | None, list[FieldError]]:
    ap = (meridiem or "").replace(".", "").replace(" ", "")
    if ap in ("a", "am", "p", "pm"):
        if not 1 <= hour <= 12:
            return None, [FieldError(field, f"{str(value).strip()!r} is not a time of day")]
        hour = hour % 12 + (12 if ap.startswith("p") else 0)
    if hour == 24 and minute == 0 and second == 0:
        return dt.time(23, 59, 59), []
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        return None, [FieldError(field, f"{str(value).strip()!r} is not a time of day")]
    return dt.time(hour, minute, second), []


_WEEKDAY_NAMES: dict[str, str] = {}
for _code, _names in {
    "MO": ("monday", "mon", "mo", "m", "1", "lunes", "lun"),
    "TU": ("tuesday", "tues", "tue", "tu", "2", "martes", "mar"),
    "WE": ("wednesday", "wed", "we", "w", "3", "miercoles", "miércoles", "mie", "mié"),
    "TH": ("thursday", "thurs", "thur", "thu", "th", "4", "jueves", "jue"),
    "FR": ("friday", "fri", "fr", "f", "5", "viernes", "vie"),
    "SA": ("saturday", "sat", "sa", "6", "sabado", "sábado", "sab", "sáb"),
    "SU": ("sunday", "sun", "su", "7", "0", "domingo", "dom"),
}.items():
    for _name in _names:
        _WEEKDAY_NAMES[_name] = _code
_DAY_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINAL_DAY = re.compile(r"([+-]?\d{1,2})([A-Za-z]{2})")


def parse_weekday(value: object, field: str = "weekday") -> tuple[str | None, list[FieldError]]:
    """The RFC 5545 weekday code (``MO`` ... ``SU``) for a name, abbreviation or HSDS 1.1 number.

    HSDS 1.1 numbers days 1 = Monday to 7 = Sunday.
    """
    if _blank(value):
        return None, [FieldError(field, "no weekday given")]
    text = str(value).strip().lower().rstrip(".")
    code = _WEEKDAY_NAMES.get(text)
    if code is None and text.endswith("s"):
        code = _WEEKDAY_NAMES.get(text[:-1])  # "Mondays"
    if code is None:
        return None, [FieldError(field, f"{str(value).strip()!r} is not a day of the week")]
    return code, []


def parse_weekdays(value: object, field: str = "byday") -> tuple[list[str], list[FieldError]]:
    """Weekday codes from ``"TH,FR"``, ``"Mon-Fri"``, ``"Monday, Wednesday"``.

    Ranges wrap around the week (``Sat-Mon``). RRULE ordinals (``1SA``, ``-1FR``: the first
    Saturday, the last Friday of a monthly rule) are kept. Unknown parts are reported and left
    out.
    """
    if _blank(value):
        return [], []
    days: list[str] = []
    errors: list[FieldError] = []
    for part in re.split(r"[,;/&]|\band\b", str(value), flags=re.IGNORECASE):
        part = part.strip()
        if not part:
            continue
        ordinal = _ORDINAL_DAY.fullmatch(part)
        if ordinal and ordinal.group(2).upper() in _DAY_ORDER:
            days.append(ordinal.group(1) + ordinal.group(2).upper())  # RRULE "1SA", "-1FR"
            continue
        ends = re.split(r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b)\s*", part, flags=re.IGNORECASE)
        if len(ends) == 2:
            first, e1 = parse_weekday(ends[0], field)
            last, e2 = parse_weekday(ends[1], field)
            if e1 or e2 or first is None or last is None:
                errors.append(FieldError(field, f"{part!r} is not a range of weekdays"))
                continue
            i = _DAY_ORDER.index(first)
            while True:
                days.append(_DAY_ORDER[i])
                if _DAY_ORDER[i] == last:
                    break
                i = (i + 1) % 7
            continue
        code, errs = parse_weekday(part, field)
        if code is None:
            errors.extend(errs)
        else:
            days.append(code)
    return list(dict.fromkeys(days)), errors


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%Y%m%d",
)


def parse_date(value: object, field: str = "date") -> tuple[dt.date | None, list[FieldError]]:
    """A calendar date in ISO, US (``12/24/2015``, ``12/24/15``) or written form.

    ``January 01, 0001`` and other year-1 dates are placeholders for "no date": ``None``,
    without an error. A date-time gives its date.
    """
    if _blank(value):
        return None, []
    if isinstance(value, dt.datetime):
        return value.date(), []
    if isinstance(value, dt.date):
        return (None if value.year == 1 else value), []
    text = " ".join(str(value).strip().split())
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\S*)?$", text)
    if iso:
        text = "-".join(iso.groups())
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return (None if parsed.year == 1 else parsed), []
    return None, [FieldError(field, f"{str(value).strip()!r} is not a date")]


#: The IANA zone names this machine knows.
_TIME_ZONES = frozenset(available_timezones())


def parse_time_zone(value: object, field: str = "timezone") -> tuple[str | None, list[FieldError]]:
    """An IANA time zone name (``America/New_York``); UTC offsets and numbers are refused."""
    if _blank(value):
        return None, []
    text = str(value).strip()
    if text in _TIME_ZONES:
        return text, []
    return None, [FieldError(field, f"{text!r} is not an IANA time zone (such as "
                                    f"America/New_York)")]


# --------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------

#: ISO 639 codes by language name (English names and a few common native or Spanish names).
#: Two-letter ISO 639-1 codes where they exist, else ISO 639-3 (``ase`` American Sign Language).
LANGUAGE_CODES: dict[str, str] = {
    "afrikaans": "af", "albanian": "sq", "amharic": "am", "arabic": "ar", "armenian": "hy",
    "bengali": "bn", "bangla": "bn", "bosnian": "bs", "bulgarian": "bg", "burmese": "my",
    "cantonese": "yue", "catalan": "ca", "chinese": "zh", "mandarin": "zh", "croatian": "hr",
    "czech": "cs", "danish": "da", "dutch": "nl", "english": "en", "ingles": "en",
    "inglés": "en", "estonian": "et", "farsi": "fa", "persian": "fa", "filipino": "tl",
    "tagalog": "tl", "finnish": "fi", "french": "fr", "français": "fr", "francais": "fr",
    "frances": "fr", "francés": "fr", "german": "de", "greek": "el", "gujarati": "gu",
    "haitian creole": "ht", "haitian-creole": "ht", "creole": "ht", "kreyol": "ht",
    "kreyòl": "ht", "kreyol ayisyen": "ht", "kreyòl ayisyen": "ht", "criollo": "ht",
    "hebrew": "he", "hindi": "hi", "hmong": "hmn", "hungarian": "hu", "icelandic": "is",
    "igbo": "ig", "indonesian": "id", "italian": "it", "japanese": "ja", "khmer": "km",
    "cambodian": "km", "korean": "ko", "kurdish": "ku", "lao": "lo", "latvian": "lv",
    "lithuanian": "lt", "malay": "ms", "malayalam": "ml", "marathi": "mr", "nepali": "ne",
    "norwegian": "no", "pashto": "ps", "polish": "pl", "portuguese": "pt", "portugues": "pt",
    "português": "pt", "punjabi": "pa", "romanian": "ro", "russian": "ru", "serbian": "sr",
    "sindhi": "sd", "slovak": "sk", "slovenian": "sl", "somali": "so", "spanish": "es",
    "español": "es", "espanol": "es", "castellano": "es", "swahili": "sw", "swedish": "sv",
    "taiwanese": "nan", "tamil": "ta", "telugu": "te", "thai": "th", "tigrinya": "ti",
    "turkish": "tr", "ukrainian": "uk", "urdu": "ur", "vietnamese": "vi", "welsh": "cy",
    "yiddish": "yi", "yoruba": "yo", "zulu": "zu", "navajo": "nv", "irish": "ga",
    "american sign language": "ase", "asl": "ase", "sign language": "sgn",
    "lengua de señas": "sgn",
}
#: English names for codes, to name a language given only by its code.
LANGUAGE_NAMES: dict[str, str] = {}
for _name, _lang in LANGUAGE_CODES.items():
    if _name.isascii() and _name not in ("creole", "asl", "ingles", "espanol", "francais",
                                          "frances", "portugues", "kreyol", "criollo",
                                          "haitian-creole", "mandarin", "bangla", "farsi",
                                          "cambodian", "filipino", "castellano"):
        LANGUAGE_NAMES.setdefault(_lang, _name.title())
LANGUAGE_NAMES.update({"zh": "Chinese", "ht": "Haitian Creole", "ase": "American Sign Language",
                       "sgn": "Sign Language", "fa": "Persian", "tl": "Tagalog"})
#: ISO 639-2/3 codes that data sets use instead of the two-letter ones.
_THREE_LETTER = {
    "eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "hat": "ht", "por": "pt", "rus": "ru",
    "zho": "zh", "chi": "zh", "vie": "vi", "ara": "ar", "deu": "de", "ger": "de", "ita": "it",
    "heb": "he", "kor": "ko", "jpn": "ja", "pol": "pl", "urd": "ur", "hin": "hi", "tgl": "tl",
    "fas": "fa", "per": "fa", "yid": "yi", "ase": "ase", "sgn": "sgn", "cmn": "zh", "yue": "yue",
}
_LANGUAGE_PATTERN = re.compile(
    r"(?<![\w])(" + "|".join(
        re.escape(n) for n in sorted(LANGUAGE_CODES, key=len, reverse=True)
    ) + r")(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LanguageValue:
    """A language: display ``name``, ISO 639 ``code`` (``None`` if unknown) and a ``note``."""

    name: str | None
    code: str | None
    note: str | None = None


def language_code(name: str) -> str | None:
    """The ISO 639 code for a language name or code, or ``None`` when it is not known."""
    key = " ".join(name.strip().lower().split())
    if key in LANGUAGE_CODES:
        return LANGUAGE_CODES[key]
    if key in LANGUAGE_NAMES:
        return key
    base = key.split("-")[0].split("_")[0]
    if len(key) in (2, 3, 5) and base in LANGUAGE_NAMES:
        return base
    return _THREE_LETTER.get(key)


def parse_language(
    value: object, field: str = "language", *, code: object = None, limit: int = 100
) -> tuple[LanguageValue | None, list[FieldError]]:
    """A language from free text such as ``Spanish``, ``Spanish (limited)`` or ``es``.

    The name is kept; the ISO 639 code is looked up from it (or checked when ``code`` is given).
    Text that names no known language ("other languages available upon request") is kept as the
    name without a code. Qualifiers are kept in ``note``.
    """
    given_code = None if _blank(code) else str(code).strip()
    if _blank(value) and given_code is None:
        return None, [FieldError(field, "no language given")]
    errors: list[FieldError] = []
    if given_code is not None:
        known = language_code(given_code)
        if known is None and not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", given_code):
            errors.append(FieldError(field, f"{given_code!r} is not an ISO 639 language code"))
            given_code = None
        elif known is not None and len(given_code) == 3 and known != given_code.lower():
            given_code = known  # "eng" -> "en"
    if _blank(value):
        assert given_code is not None
        found = language_code(given_code)
        return LanguageValue(LANGUAGE_NAMES.get(found or "", given_code), given_code), errors
    text = " ".join(str(value).split())
    exact = language_code(text.strip(" .,;:*"))
    if exact is not None:
        name = text.strip(" .,;:*")
        if len(name) <= 3:
            name = LANGUAGE_NAMES.get(exact, name)
        return LanguageValue(name[:limit], given_code or exact), errors
    match = _LANGUAGE_PATTERN.search(text)
    if match is None:
        if len(text) <= limit:
            return LanguageValue(text, given_code), errors
        return LanguageValue(None, given_code, text), errors
    found = LANGUAGE_CODES[match.group(1).lower()]
    name = match.group(1)
    if name.islower() or name.isupper():
        name = LANGUAGE_NAMES.get(found, name.title())
    rest = (text[: match.start()] + text[match.end():]).strip(" .,;:*()-")
    note = text if rest else None
    if rest and match.start() == 0 and text[match.end():].strip().startswith("("):
        note = text[match.end():].strip().strip("()").strip() or None
    return LanguageValue(name[:limit], given_code or found, note), errors


# --------------------------------------------------------------------------------------------
# Numbers and flags
# --------------------------------------------------------------------------------------------


def parse_int(
    value: object, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> tuple[int | None, list[FieldError]]:
    """An integer (``"12"``, ``12.0``), checked against ``minimum``/``maximum`` when given."""
    if _blank(value):
        return None, []
    if isinstance(value, bool):
        return None, [FieldError(field, f"{value!r} is not a whole number")]
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None, [FieldError(field, f"{str(value).strip()!r} is not a whole number")]
    if number != number.to_integral_value():
        return None, [FieldError(field, f"{str(value).strip()!r} is not a whole number")]
    result = int(number)
    if minimum is not None and result < minimum or maximum is not None and result > maximum:
        return None, [FieldError(field, f"{result} is outside {minimum}..{maximum}")]
    return result, []


def parse_decimal(value: object, field: str) -> tuple[Decimal | None, list[FieldError]]:
    """A decimal amount (``"35"``, ``"$1,200.50"``)."""
    if _blank(value):
        return None, []
    text = str(value).strip().replace(",", "").lstrip("$£€")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, [FieldError(field, f"{str(value).strip()!r} is not an amount")]
    if not number.is_finite():
        return None, [FieldError(field, f"{str(value).strip()!r} is not an amount")]
    return number, []


_TRUE = {"true", "t", "yes", "y", "1", "x"}
_FALSE = {"false", "f", "no", "n", "0"}


def parse_bool(value: object, field: str) -> tuple[bool | None, list[FieldError]]:
    """``True``/``False`` from ``true``, ``yes``, ``1``, ``false``, ``no``, ``0`` ..."""
    if _blank(value):
        return None, []
    if isinstance(value, bool):
        return value, []
    text = str(value).strip().lower()
    if text in _TRUE:
        return True, []
    if text in _FALSE:
        return False, []
    return None, [FieldError(field, f"{str(value).strip()!r} is not yes or no")]
