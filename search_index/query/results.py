"""What a search returns: ranked hits with snippets and flags, facets, a suggestion, crisis lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from search_index.query.crisis import CrisisMatch


@dataclass(frozen=True)
class Hit:
    """One result. ``snippet`` is HTML-safe (text escaped, matches in ``<mark>``).

    ``distance_km`` is None without a location in the request or in the listing; ``open_now``
    is None when the listing has no hours; ``stale`` means not verified within the request's
    ``stale_after_days``; ``crisis`` marks a pinned crisis line. Sorted by distance,
    ``best_match`` says whether the hit is among the best matches (nearest first) or among the
    other matches that follow them (nearest first too); otherwise it is always true.
    """

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
    """A page of results. ``query`` is the normalised text searched; ``total`` counts every
    result over all pages (pinned crisis lines included); ``facets`` is
    ``{"category": {slug: count}}`` over the results before the category filter.
    ``notices`` holds machine-readable remarks such as ``"zip-unknown"``. ``needs``: the keys of
    the needs read from the text (:mod:`search_index.query.needs`); ``unmet_needs``: the categories of
    those no listing of the directory serves; ``out_of_scope``: the text asks only for such needs,
    so nothing is shown as if it matched (pinned crisis lines still are); ``covered``: when
    a need is unmet, the category slugs of the directory's listings (what it does cover).
    ``sorted_by`` is ``"distance"`` when the hits are nearest first within relevance
    (:func:`search_index.query.ranking.nearest_first`), else ``"relevance"``.
    """

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
