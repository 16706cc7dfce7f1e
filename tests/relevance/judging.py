"""Judged queries, metrics, and the plain-Whoosh baseline for the relevance suites.

A judged query names the taxonomy codes that make a listing relevant (``*_judgments.csv``).
For each query the suite records, for our search and for plain Whoosh on the same index:

* success@5: whether a relevant listing is among the first five results;
* precision@5: relevant listings among the first five, divided by ``min(5, R)`` where ``R`` is
  the number of relevant listings in the directory (so a topic with only two listings can still
  score 1.0).

Plain Whoosh is ``MultifieldParser`` over the same text fields with Whoosh's defaults (AND of
the words, BM25F), and the same with ``OrGroup``; no synonyms, no typo handling, no crisis lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.searching import Searcher

from search_index.engine.schema import ENGLISH_FIELDS, SPANISH_FIELDS
from search_index.query.searching import SearchRequest, search

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Judgment:
    """A query and the taxonomy codes that make a result relevant."""

    query: str
    relevant: tuple[str, ...]
    exclude: tuple[str, ...]

    def _matches(self, code: str, patterns: tuple[str, ...]) -> bool:
        for pattern in patterns:
            if pattern.startswith("="):
                if code == pattern[1:]:
                    return True
            elif code == pattern or (
                code.startswith(pattern) and (pattern.endswith(("-", ".")) or code[len(pattern)] in ".-")
            ):
                return True
        return False

    def is_relevant(self, codes: tuple[str, ...]) -> bool:
        """Whether a listing with taxonomy ``codes`` is relevant to the query."""
        return any(self._matches(c, self.relevant) and not self._matches(c, self.exclude) for c in codes)


def load_judgments(name: str) -> list[Judgment]:
    """The judgments of ``HERE / name``."""
    lines = [l for l in (HERE / name).read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    split = lambda cell: tuple(p.strip().lower() for p in (cell or "").split("|") if p.strip())  # noqa: E731
    return [
        Judgment(row["query"], split(row["relevant"]), split(row.get("exclude", "")))
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    ]


Ranker = Callable[[Searcher, str], list[str]]


def ours(searcher: Searcher, query: str) -> list[str]:
    """Our search's first five service ids."""
    return search(searcher, SearchRequest(q=query, per_page=5, now=NOW, today=NOW.date()), cache=None).service_ids


def _plain(group: object | None) -> Ranker:
    def rank(searcher: Searcher, query: str) -> list[str]:
        fields = list(ENGLISH_FIELDS + SPANISH_FIELDS)
        parser = MultifieldParser(fields, searcher.schema, group=group) if group else MultifieldParser(fields, searcher.schema)
        return [hit["id"] for hit in searcher.search(parser.parse(query), limit=5)]

    return rank


plain_and = _plain(None)
plain_or = _plain(OrGroup)


@dataclass(frozen=True)
class Scores:
    """Mean success@5 and precision@5 over a suite, with the misses."""

    success_at_5: float
    precision_at_5: float
    misses: tuple[str, ...]


@dataclass
class _Listings:
    """The taxonomy codes of every listing of an index, and how many listings each judgment
    finds relevant there (counted once, whichever ranker or judged set asks again)."""

    codes: dict[str, tuple[str, ...]]
    relevant: dict[Judgment, int] = field(default_factory=dict)

    def relevant_total(self, judgment: Judgment) -> int:
        if judgment not in self.relevant:
            self.relevant[judgment] = sum(1 for c in self.codes.values() if judgment.is_relevant(c))
        return self.relevant[judgment]


_listings: weakref.WeakKeyDictionary[Searcher, _Listings] = weakref.WeakKeyDictionary()


def _listings_of(searcher: Searcher) -> _Listings:
    """The :class:`_Listings` of ``searcher``'s index, read once per searcher."""
    found = _listings.get(searcher)
    if found is None:
        found = _listings[searcher] = _Listings({
            doc["id"]: tuple(c for c in (doc.get("taxonomy_codes") or "").split(",") if c)
            for doc in searcher.all_stored_fields()
        })
    return found


def listing_codes(searcher: Searcher) -> dict[str, tuple[str, ...]]:
    """The taxonomy codes of every listing in ``searcher``'s index, by service id (read once per
    searcher; do not change the answer)."""
    return _listings_of(searcher).codes


def evaluate(searcher: Searcher, judgments: list[Judgment], rank: Ranker) -> Scores:
    """Score ``rank`` on ``judgments`` (see the module docstring for the metrics)."""
    listings = _listings_of(searcher)
    codes = listings.codes
    successes, precisions, misses = [], [], []
    for judgment in judgments:
        relevant_total = listings.relevant_total(judgment)
        assert relevant_total, f"no relevant listing for {judgment.query!r}: fix the judgment"
        top = rank(searcher, judgment.query)[:5]
        good = sum(1 for sid in top if judgment.is_relevant(codes.get(sid, ())))
        successes.append(1.0 if good else 0.0)
        precisions.append(good / min(5, relevant_total))
        if not good:
            misses.append(judgment.query)
    return Scores(statistics.fmean(successes), statistics.fmean(precisions), tuple(misses))


def report(name: str, results: dict[str, Scores]) -> str:
    """A one-table summary, also written to ``test-artifacts/relevance-<name>.json``."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"relevance-{name}.json").write_text(
        json.dumps({k: asdict(v) for k, v in results.items()}, indent=2), encoding="utf-8"
    )
    rows = [f"{name}: {'ranker':<12} success@5  precision@5"]
    rows += [f"{'':>{len(name) + 2}}{k:<12} {v.success_at_5:9.3f}  {v.precision_at_5:11.3f}" for k, v in results.items()]
    return "\n".join(rows)


# -- judged sets over both directories (search_*.csv) ------------------------------------------

#: Kinds of query in a judged set; ``outofscope`` rows have no relevant codes.
KINDS = ("distress", "typo", "spanish", "creole", "shorthand", "keyword", "outofscope")
DIRECTORIES = ("miami", "curated")


@dataclass(frozen=True)
class JudgedQuery:
    """A row of a ``search_*.csv`` set: a judgment over one directory, of one kind."""

    judgment: Judgment
    directory: str
    kind: str
    note: str = ""


def load_judged_set(path: Path) -> list[JudgedQuery]:
    """The rows of the judged set ``path`` (columns query, directory, kind, relevant, exclude,
    note; ``#`` lines are comments)."""
    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    split = lambda cell: tuple(p.strip().lower() for p in (cell or "").split("|") if p.strip())  # noqa: E731
    rows = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        judgment = Judgment(row["query"], split(row["relevant"]), split(row.get("exclude", "")))
        rows.append(JudgedQuery(judgment, row["directory"].strip(), row["kind"].strip(), row.get("note") or ""))
    return rows


#: A ranker that also says whether the search called the text out of scope.
ScopeRanker = Callable[[Searcher, str], tuple[list[str], bool]]


def ours_with_scope(searcher: Searcher, query: str) -> tuple[list[str], bool]:
    """Our search's first five service ids, and whether it said the need is out of scope."""
    results = search(searcher, SearchRequest(q=query, per_page=5, now=NOW, today=NOW.date()), cache=None)
    return results.service_ids, results.out_of_scope


def without_scope(rank: Ranker) -> ScopeRanker:
    """``rank`` as a :data:`ScopeRanker` that never says out of scope (plain Whoosh cannot)."""
    return lambda searcher, query: (rank(searcher, query), False)


@dataclass(frozen=True)
class SetScores:
    """success@5 and precision@5 over a judged set, overall and per kind, with the misses."""

    success_at_5: float
    precision_at_5: float
    by_kind: dict[str, tuple[float, float, int]]
    misses: tuple[str, ...]


def evaluate_set(searchers: dict[str, Searcher], rows: list[JudgedQuery], rank: ScopeRanker) -> SetScores:
    """Score ``rank`` on ``rows``, each over the searcher of its directory. An ``outofscope``
    row succeeds (success and precision 1) when the search says out of scope and shows no
    listing; any other row as in :func:`evaluate`."""
    per_kind: dict[str, list[tuple[float, float]]] = {}
    misses: list[str] = []
    listings_of = {name: _listings_of(searcher) for name, searcher in searchers.items()}
    for row in rows:
        judgment = row.judgment
        ids, out_of_scope = rank(searchers[row.directory], judgment.query)
        top = ids[:5]
        if row.kind == "outofscope":
            success = precision = 1.0 if out_of_scope and not top else 0.0
        else:
            listings = listings_of[row.directory]
            codes, relevant_total = listings.codes, listings.relevant_total(judgment)
            assert relevant_total, f"no relevant listing for {judgment.query!r}: fix the judgment"
            good = sum(1 for sid in top if judgment.is_relevant(codes.get(sid, ())))
            success, precision = (1.0 if good else 0.0), good / min(5, relevant_total)
        per_kind.setdefault(row.kind, []).append((success, precision))
        if not success:
            misses.append(f"[{row.directory}/{row.kind}] {judgment.query}")
    every = [pair for pairs in per_kind.values() for pair in pairs]
    return SetScores(
        statistics.fmean(s for s, _ in every),
        statistics.fmean(p for _, p in every),
        {kind: (statistics.fmean(s for s, _ in pairs), statistics.fmean(p for _, p in pairs), len(pairs))
         for kind, pairs in sorted(per_kind.items())},
        tuple(misses),
    )


def set_report(name: str, results: dict[str, SetScores]) -> str:
    """A table of ``results`` (ranker -> scores) per kind, also written to
    ``test-artifacts/relevance-<name>.json``."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"relevance-{name}.json").write_text(
        json.dumps({k: asdict(v) for k, v in results.items()}, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    kinds = sorted({k for v in results.values() for k in v.by_kind})
    rows = [f"{name}: success@5 / precision@5"]
    rows.append(f"  {'ranker':<11} {'all':>11}  " + "  ".join(f"{k:>11}" for k in kinds))
    for ranker, scores in results.items():
        cells = [f"{scores.by_kind[k][0]:.2f} / {scores.by_kind[k][1]:.2f}" if k in scores.by_kind else "" for k in kinds]
        rows.append(f"  {ranker:<11} {scores.success_at_5:.2f} / {scores.precision_at_5:.2f}  "
                    + "  ".join(f"{c:>11}" for c in cells))
    rows.append("  queries per kind: " + ", ".join(f"{k} {results[next(iter(results))].by_kind[k][2]}" for k in kinds))
    return "\n".join(rows)
