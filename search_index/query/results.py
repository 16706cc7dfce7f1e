"""What a search returns: ranked hits with snippets and flags, facets, a suggestion, crisis lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from search_index.query.crisis import CrisisMatch


@dataclass(frozen=True)
class Hit:
    """One result. ``snippet`` is HTML-safe; ``distance_km`` and ``open_now`` are None when
    unknown; ``stale``: not verified within ``stale_after_days``; ``crisis``: a pinned crisis
    line; ``best_match``: sorted by distance, among the best matches (else always true)."""

    service_id: str
    score: float
    snippet: str
    distance_km: float | None
    open_now: bool | None
    stale: bool
    crisis: bool = False
    best_match: bool = True


@dataclass(frozen=True)
class SearchResults:
    """A page of results. ``total`` counts every result (pinned lines included); ``facets`` is
    ``{"category": {slug: count}}`` before the category filter; ``notices``: remarks such as
    ``"zip-unknown"``; ``needs``: the needs read; ``unmet_needs``: the categories of those no
    listing serves; ``out_of_scope``: the text asks only for such needs (only pinned lines are
    shown); ``covered``: then, the directory's category slugs; ``sorted_by``: ``"distance"``
    or ``"relevance"``."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    crisis: CrisisMatch | None = None
    notices: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    unmet_needs: tuple[str, ...] = ()
    out_of_scope: bool = False
    covered: tuple[str, ...] = ()
    sorted_by: str = "relevance"

    @property
    def service_ids(self) -> list[str]:
        """The ids of the hits, in rank order."""
        return [hit.service_id for hit in self.hits]

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.per_page))
