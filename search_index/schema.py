"""The Whoosh schema of the service index.

One document per non-defunct service, keyed by the service's UUID (``id``). Text fields use the
analyzers of :mod:`search_index.analysis`; filter and ranking data are kept compact so that a
search can read them for every candidate without touching the database:

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
eligibility         eligibility text and age limits in words (English analysis)
cost                fees text and cost options (English analysis)
accessibility       accessibility of the locations (English analysis)
languages           ISO 639 codes spoken (keyword, stored)
phones              public phone numbers as digits, ``988``, ``18007997233`` (keyword, stored)
spell               every text above, folded but neither stemmed nor stop-worded: the
                    vocabulary for typo tolerance and "did you mean"
free                whether the service costs nothing (boolean, stored)
walk_in             whether walk-ins are accepted (boolean, stored)
min_age, max_age    age limits, -1 when none (numeric, stored)
hours               open-now data: JSON of weekly spans in minutes of the week, dated
                    closures, special dates and the IANA time zone (stored only)
points              ``[[lat, lon, zip], ...]`` of the service's locations (stored only)
zips                ZIP codes of the locations (keyword, stored)
assured             assured (verified) date as an ordinal, 0 when never (numeric, stored);
                    staleness is computed at query time
status              HSDS status (``active``, ``inactive``, ``temporarily closed``), stored
==================  =========================================================================
"""

from __future__ import annotations

from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search_index.analysis import english_analyzer, plain_analyzer, spanish_analyzer

#: Bumped whenever the schema or the document mapping changes; the store rebuilds on mismatch.
SCHEMA_VERSION: int = 1

#: Text fields searched by free text, with the analyzer channel each belongs to.
ENGLISH_FIELDS: tuple[str, ...] = (
    "name",
    "organization",
    "description",
    "taxonomy_names",
    "eligibility",
    "cost",
    "accessibility",
)
SPANISH_FIELDS: tuple[str, ...] = ("name_es", "description_es")


def build_schema() -> Schema:
    """A fresh :class:`whoosh.fields.Schema` for the service index (see the module docstring)."""
    en = english_analyzer()
    es = spanish_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=en, stored=True),
        name_es=TEXT(analyzer=es, stored=True),
        organization=TEXT(analyzer=en, stored=True),
        description=TEXT(analyzer=en, stored=True),
        description_es=TEXT(analyzer=es, stored=True),
        taxonomy_names=TEXT(analyzer=en, stored=True),
        taxonomy_codes=KEYWORD(stored=True, lowercase=True, commas=True, scorable=False),
        categories=KEYWORD(stored=True, commas=True),
        eligibility=TEXT(analyzer=en, stored=True),
        cost=TEXT(analyzer=en, stored=True),
        accessibility=TEXT(analyzer=en, stored=True),
        languages=KEYWORD(stored=True, lowercase=True, commas=True),
        phones=KEYWORD(stored=True, commas=True),
        spell=TEXT(analyzer=plain_analyzer(), phrase=False),
        free=BOOLEAN(stored=True),
        walk_in=BOOLEAN(stored=True),
        min_age=NUMERIC(int, bits=32, stored=True, signed=True),
        max_age=NUMERIC(int, bits=32, stored=True, signed=True),
        hours=STORED(),
        points=STORED(),
        zips=KEYWORD(stored=True, commas=True),
        assured=NUMERIC(int, bits=32, stored=True, signed=True),
        status=ID(stored=True),
    )
