"""The Whoosh schema of the service index.

One document per non-defunct service, keyed by the service's UUID (``id``). Text fields use the
analyzers of :mod:`search_index.engine.analysis` and keep term frequencies but no positions (phrase
queries are not used: they are the slowest Whoosh query, and a phrase the user types is matched
as words). Filter and ranking data that a search reads for many documents at once live in
columns, which load per segment as compact arrays.
"""

from __future__ import annotations

from whoosh.columns import NumericColumn, RefBytesColumn, VarBytesColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from search_index.engine.analysis import ENGLISH_ANALYZER, PLAIN_ANALYZER, SPANISH_ANALYZER

#: Bumped whenever the schema or the document mapping changes; the store rebuilds on mismatch.
SCHEMA_VERSION: int = 4

#: Text fields searched by free text with the English analyzer.
ENGLISH_FIELDS: tuple[str, ...] = (
    "name",
    "organization",
    "description",
    "taxonomy_names",
    "eligibility",
    "cost",
    "accessibility",
)
#: Text fields searched by free text with the Spanish analyzer.
SPANISH_FIELDS: tuple[str, ...] = ("name_es", "description_es")


def _text(analyzer: object, stored: bool = True) -> TEXT:
    return TEXT(analyzer=analyzer, stored=stored, phrase=False)


def build_schema() -> Schema:
    """A fresh :class:`whoosh.fields.Schema` for the service index."""
    en = ENGLISH_ANALYZER
    es = SPANISH_ANALYZER
    return Schema(
        id=ID(stored=True, unique=True),  # the service's UUID
        name=_text(en),  # name and alternate name
        name_es=_text(es),
        organization=_text(en),
        description=_text(en),  # stored: snippets are cut from it
        description_es=_text(es),
        taxonomy_names=_text(en),  # names of the attached taxonomy terms and categories
        taxonomy_codes=KEYWORD(stored=True, lowercase=True, commas=True),  # e.g. ``bh-1800.8500``
        categories=KEYWORD(stored=True, commas=True),  # category slugs (the facet)
        eligibility=_text(en),
        cost=_text(en),  # fees text and cost options
        accessibility=_text(en),  # of the locations that are not confidential
        languages=KEYWORD(stored=True, lowercase=True, commas=True),  # ISO 639 codes spoken
        phones=KEYWORD(stored=True, commas=True),  # public numbers as digits: ``988``, ``8007997233``
        zips=KEYWORD(stored=True, commas=True),  # of the locations that are not confidential
        status=ID(stored=True),  # HSDS status: ``active``, ``inactive``, ``temporarily closed``
        free=BOOLEAN(stored=True),
        walk_in=BOOLEAN(stored=True),
        # Every text above, folded but neither stemmed nor stop-worded: the typo vocabulary.
        spell=_text(PLAIN_ANALYZER, stored=False),
        hours=STORED(),  # open-now data (:mod:`search_index.hours`)
        points=STORED(),  # ``[[lat, lon, zip], ...]``: true positions, read by nothing public
        min_age=COLUMN(NumericColumn("i", default=-1)),  # age limits, -1 when none
        max_age=COLUMN(NumericColumn("i", default=-1)),
        assured=COLUMN(NumericColumn("i", default=0)),  # verified date as an ordinal, 0: never
        # minutes since 1970 (UTC) of the latest capacity count with room, 0: none ("has room now")
        room_as_of=COLUMN(NumericColumn("i", default=0)),
        hours_key=COLUMN(RefBytesColumn()),  # ``hours`` as compact JSON, shared by equal schedules
        # Public positions ``lat,lon,zip;...``: a confidential place is its grid cell's centre,
        # ``lat,lon,,c`` (:mod:`directory_data.confidential`); anonymous searches read this.
        geo=COLUMN(VarBytesColumn()),
        geo_exact=COLUMN(VarBytesColumn()),  # true positions, for signed-in officers' searches only
        sort_name=COLUMN(VarBytesColumn()),  # folded name for ordering a browse
    )
