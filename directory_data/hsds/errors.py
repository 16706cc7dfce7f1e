"""The import's fatal error."""

from __future__ import annotations


class HSDSImportError(Exception):
    """The input cannot be imported at all (unreadable, not HSDS, broken); nothing was saved.

    The message says which file and, where it can, which line, in words a caseworker can act on.
    """
