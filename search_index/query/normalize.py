"""Making any user text safe to search: control characters out, Unicode normalised, bounded.

Nothing a user types reaches a parser: the text is reduced to words here, and queries are built
from those words as Whoosh term objects, so quotes, colons, parentheses, ``AND``/``OR``/``NOT``
and ``*`` are just characters.
"""

from __future__ import annotations

import re
import unicodedata

from search_index.query.text_forms import QUOTES

#: Longest query text kept, in characters (longer text is cut, never rejected).
MAX_QUERY_CHARS = 2000
#: Most words a query is searched with (the rest is ignored).
MAX_QUERY_WORDS = 32

_SPACES = re.compile(r"\s+")


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    return not (category in ("Cc", "Cf", "Cs", "Co", "Cn") and not char.isspace())


def normalize_query(text: object) -> str:
    """``text`` as a clean single-line string of at most :data:`MAX_QUERY_CHARS` characters:
    control and format characters dropped, NFKC-normalised, apostrophes straightened ("" for non-text)."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_QUERY_CHARS * 2]
    cleaned = "".join(c if _keep(c) else " " for c in text)
    cleaned = unicodedata.normalize("NFKC", cleaned).translate(QUOTES)
    return _SPACES.sub(" ", cleaned).strip()[:MAX_QUERY_CHARS].strip()
