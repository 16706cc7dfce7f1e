"""The Whoosh schema of the service index.

One document per non-defunct service, keyed by the service's UUID (``id``). Text fields use the
analyzers of :mod:`search_index.engine.analysis` and keep term frequencies but no positions (phrase
queries are not used: they are the slowest Whoosh query, and a phrase the user types is matched
as words). Filter and ranking data that a search reads for many documents at once live in
columns, which load per segment as compact arrays.

==================  =========================================================================
field               contents
==================  =========================================================================
id                  service UUID (unique, stored)
name                name and alternate name (English analysis, stored)
name_es             Spanish name (Spanish analysis, stored)
organization        organization name (English analysis, stored)
description         description (English analysis, stored: snippets are cut from it)
description_es      Spanish description (Spanish analysis, stored)
taxonomy_names      names of the attached taxonomy terms and categories (English analysis)
taxonomy_codes      taxonomy codes, lower case, e.g. ``bh-1800.8500`` (keyword, stored)
categories          category slugs (keyword, stored; the facet)
eligibility         eligibility text (English analysis, stored)
cost                fees text and cost options (English analysis, stored)
accessibility       accessibility of the locations that are not confidential (English analysis,
                    stored)
languages           ISO 639 codes spoken (keyword, stored)
phones              public phone numbers as digits, ``988``, ``8007997233`` (keyword, stored)
zips                ZIP codes of the locations that are not confidential (keyword, stored)
status              HSDS status (``active``, ``inactive``, ``temporarily closed``; stored)
free, walk_in       booleans (indexed, stored)
spell               every text above, folded but neither stemmed nor stop-worded: the
                    vocabulary for typo tolerance and "did you mean"
hours               open-now data (stored): weekly spans in minutes of the week, dated
                    closures and special hours, IANA time zone (:mod:`search_index.hours`)
points              ``[[lat, lon, zip], ...]`` of the service's locations, true positions (stored;
                    read by nothing public)
min_age, max_age    age limits, -1 when none (column)
assured             assured (verified) date as an ordinal, 0 when never (column); staleness
                    is computed at query time
hours_key           the ``hours`` value as compact JSON bytes (column, shared between equal
                    schedules)
geo                 the public positions, ``lat,lon,zip;...`` bytes (column): a confidential
                    place is its grid cell's centre, ``lat,lon,,c`` (no ZIP code, marked
                    coarse; :mod:`directory_data.confidential`); anonymous searches read this
geo_exact           the true positions, ``lat,lon,zip;...`` bytes (column); only searches
                    for signed-in officers (``SearchRequest.precise``) read it
sort_name           folded name for ordering a browse (column)
room_as_of          minutes since 1970 (UTC) of the latest count with room (``available > 0``)
                    of the service's capacities, 0 for none (column): "has room now" is
                    ``room_as_of`` within the configured age (:mod:`directory_data.availability`)
==================  =========================================================================
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
    """A fresh :class:`whoosh.fields.Schema` for the service index (see the module docstring)."""
    en = ENGLISH_ANALYZER
    es = SPANISH_ANALYZER
    return Schema(
        id=ID(stored=True, unique=True),
        name=_text(en),
        name_es=_text(es),
        organization=_text(en),
        description=_text(en),
        description_es=_text(es),
        taxonomy_names=_text(en),
        taxonomy_codes=KEYWORD(stored=True, lowercase=True, commas=True),
        categories=KEYWORD(stored=True, commas=True),
        eligibility=_text(en),
        cost=_text(en),
        accessibility=_text(en),
        languages=KEYWORD(stored=True, lowercase=True, commas=True),
        phones=KEYWORD(stored=True, commas=True),
        zips=KEYWORD(stored=True, commas=True),
        status=ID(stored=True),
        free=BOOLEAN(stored=True),
        walk_in=BOOLEAN(stored=True),
        spell=_text(PLAIN_ANALYZER, stored=False),
        hours=STORED(),
        points=STORED(),
        min_age=COLUMN(NumericColumn("i", default=-1)),
        max_age=COLUMN(NumericColumn("i", default=-1)),
        assured=COLUMN(NumericColumn("i", default=0)),
        room_as_of=COLUMN(NumericColumn("i", default=0)),
        hours_key=COLUMN(RefBytesColumn()),
        geo=COLUMN(VarBytesColumn()),
        geo_exact=COLUMN(VarBytesColumn()),
        sort_name=COLUMN(VarBytesColumn()),
    )
