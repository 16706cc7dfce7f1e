"""The kind of help a service gives, in neutral words: what a discreet referral calls a service
whose own name would reveal abuse ("Support service — housing", "Support service — counseling"),
so that two such entries on one slip still read differently.

The kind comes from the service's AIRS/211 taxonomy codes (the longest prefix of :data:`PREFIXES`
that a code starts with; target-population codes, ``Y...``, say nothing about the help), else
from its categories; the interface supplies the words of each kind (:data:`KINDS`).
"""

from __future__ import annotations

from collections.abc import Iterable

#: Every kind, in the order one is chosen when a service's codes give several.
KINDS = (
    "support-line", "housing", "legal-help", "counseling", "support-group", "health-care",
    "family-support", "advocacy", "classes", "money-and-jobs", "child-care", "support",
)
#: Taxonomy code prefixes and the kind each means.
PREFIXES = {
    "RP-1500": "support-line",  # crisis intervention: hotlines, warm lines, text lines
    "R": "counseling",  # mental health and substance use services
    "PN": "support-group",  # mutual support
    "BH": "housing",  # housing and shelter
    "FT": "legal-help",  # legal services
    "FN-1500": "classes",  # prevention education
    "FN": "advocacy",  # victim and justice-system support
    "L": "health-care",
    "PH": "family-support",  # individual and family support
    "PX": "family-support",
    "N": "money-and-jobs",  # income support and employment
}
#: The kind of a service without a telling code, by category.
CATEGORY_KINDS = {"housing": "housing", "mental-health": "counseling", "childcare": "child-care"}


def _kind_of_code(code: str) -> str | None:
    code = code.strip().upper()
    for length in range(len(code), 0, -1):
        kind = PREFIXES.get(code[:length])
        if kind is not None:
            return kind
    return None


def help_kind(categories: Iterable[str], taxonomy_codes: Iterable[str]) -> str:
    """The kind of help (one of :data:`KINDS`) of a service with ``categories`` and
    ``taxonomy_codes``."""
    found = {kind for kind in (_kind_of_code(code) for code in taxonomy_codes if code) if kind}
    found |= {CATEGORY_KINDS[slug] for slug in categories if slug in CATEGORY_KINDS} if not found else set()
    for kind in KINDS:
        if kind in found:
            return kind
    return "support"
