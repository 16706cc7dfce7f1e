"""Scoring crisis judgments (``tests/relevance/crisis_*.csv``) against the search's answers.

A judgment file has the columns ``query, language (en|es|ht), kind (suicide|dv|sexual|child|
elder|trafficking|poison|lookalike), phrasing (direct|indirect|misspelled), lines (acceptable
first pinned line keys, "|"-separated; empty for look-alikes), now (yes|no), note``.

:func:`score` takes the judgments and a function that answers a query with the API's ``crisis``
object (``GET /api/v1/search``'s, or None) and reports, per language, per kind and per phrasing:

* ``pinned``: share of danger signals that pin any line;
* ``right``: share of danger signals whose first pinned line is an acceptable one;
* ``lookalike_pinned``: share of look-alikes that pin anything;
* ``now``: share of ``now=yes`` signals whose card leads with "Call 911 now";
* ``card_language``: share of pinned Spanish and Creole queries whose card is in their language.

:data:`BARS` are the issue's thresholds; :func:`failures` names every group below them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("suicide", "dv", "sexual", "child", "elder", "trafficking", "poison")
LANGUAGES = ("en", "es", "ht")
#: At least this share of danger signals pin a line, and pin a right one first, in every language
#: and every kind; at most this share of look-alikes pin anything.
BARS = {"pinned": 0.95, "right": 0.90, "lookalike_pinned": 0.05}


@dataclass(frozen=True)
class CrisisJudgment:
    """One judged query."""

    query: str
    language: str
    kind: str
    phrasing: str
    lines: tuple[str, ...]
    now: bool
    note: str = ""

    @property
    def danger(self) -> bool:
        """Whether the query signals danger (not a look-alike)."""
        return self.kind != "lookalike"


def load_crisis_judgments(path: Path) -> list[CrisisJudgment]:
    """The judgments of ``path`` (lines starting with ``#`` are comments)."""
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    )
    return [
        CrisisJudgment(
            query=row["query"],
            language=(row.get("language") or "").strip(),
            kind=(row.get("kind") or "").strip(),
            phrasing=(row.get("phrasing") or "").strip(),
            lines=tuple(k.strip() for k in (row.get("lines") or "").split("|") if k.strip()),
            now=(row.get("now") or "").strip().lower() == "yes",
            note=row.get("note") or "",
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


@dataclass
class Tally:
    """Counts of one group (a language, a kind, a phrasing, or everything)."""

    danger: int = 0
    pinned: int = 0
    right: int = 0
    lookalikes: int = 0
    lookalike_pinned: int = 0
    now: int = 0
    now_led: int = 0
    own_language: int = 0
    own_language_led: int = 0

    def rates(self) -> dict[str, float | None]:
        """The shares (None where the group has nothing to count)."""
        share = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
        return {
            "pinned": share(self.pinned, self.danger),
            "right": share(self.right, self.danger),
            "lookalike_pinned": share(self.lookalike_pinned, self.lookalikes),
            "now": share(self.now_led, self.now),
            "card_language": share(self.own_language_led, self.own_language),
        }


@dataclass
class Score:
    """The tallies of a judgment file and the queries that missed."""

    name: str
    groups: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def group(self, key: str) -> Tally:
        """The tally of ``key`` (``all``, ``lang:en``, ``kind:dv``, ``phrasing:misspelled`` ...)."""
        return self.groups.setdefault(key, Tally())

    def as_json(self) -> dict[str, Any]:
        """Everything, for ``test-artifacts/``."""
        return {
            "name": self.name,
            "bars": BARS,
            "groups": {k: {**vars(t), **t.rates()} for k, t in sorted(self.groups.items())},
            "misses": self.misses,
        }


Answer = Callable[[str], "dict[str, Any] | None"]


def score(name: str, judgments: Iterable[CrisisJudgment], answer: Answer) -> Score:
    """Run every judgment through ``answer`` (query -> the API's ``crisis`` object) and tally."""
    result = Score(name)
    for j in judgments:
        crisis = answer(j.query)
        keys = [line["key"] for line in crisis["lines"]] if crisis else []
        groups = ["all", f"lang:{j.language}", f"phrasing:{j.phrasing}"]
        if j.danger:
            groups.append(f"kind:{j.kind}")
        problem = None
        for key in groups:
            t = result.group(key)
            if not j.danger:
                t.lookalikes += 1
                t.lookalike_pinned += bool(keys)
                continue
            t.danger += 1
            t.pinned += bool(keys)
            t.right += bool(keys) and keys[0] in j.lines
            if j.now:
                t.now += 1
                t.now_led += bool(crisis and crisis.get("now"))
            if keys and j.language in ("es", "ht"):
                t.own_language += 1
                t.own_language_led += crisis.get("language") == j.language
        if j.danger and not keys:
            problem = "no line pinned"
        elif j.danger and keys[0] not in j.lines:
            problem = f"first line {keys[0]}, wanted {'|'.join(j.lines)}"
        elif not j.danger and keys:
            problem = f"look-alike pinned {'|'.join(keys)}"
        elif j.danger and j.now and not crisis.get("now"):
            problem = "no 'Call 911 now' lead"
        if problem:
            result.misses.append({"query": j.query, "language": j.language, "kind": j.kind,
                                  "phrasing": j.phrasing, "problem": problem, "pinned": keys})
    return result


def failures(result: Score) -> list[str]:
    """Every language and kind below the bars, and the look-alikes above theirs, in words."""
    found = []
    for key, tally in sorted(result.groups.items()):
        if not (key.startswith("lang:") or key.startswith("kind:") or key == "all"):
            continue
        rates = tally.rates()
        for name in ("pinned", "right"):
            value = rates[name]
            if value is not None and value < BARS[name]:
                found.append(f"{key}: {name} {value:.1%} < {BARS[name]:.0%}")
    value = result.group("all").rates()["lookalike_pinned"]
    if value is not None and value > BARS["lookalike_pinned"]:
        found.append(f"look-alikes pinned {value:.1%} > {BARS['lookalike_pinned']:.0%}")
    return found


def table(result: Score) -> str:
    """A plain-text table of every group's counts and shares."""
    pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
    head = f"{'group':<22}{'danger':>7}{'pinned':>8}{'right':>7}{'now':>9}{'lookalk':>8}{'pinned':>8}"
    rows = [f"crisis judgments: {result.name}", head]
    order = ["all", *(f"lang:{x}" for x in LANGUAGES), *(f"kind:{x}" for x in KINDS),
             *(k for k in sorted(result.groups) if k.startswith("phrasing:"))]
    for key in order:
        if key not in result.groups:
            continue
        t = result.groups[key]
        r = t.rates()
        rows.append(f"{key:<22}{t.danger:>7}{pct(r['pinned']):>8}{pct(r['right']):>7}"
                    f"{(str(t.now_led) + '/' + str(t.now)) if t.now else '-':>9}{t.lookalikes:>8}"
                    f"{pct(r['lookalike_pinned']):>8}")
    if result.misses:
        rows.append(f"misses ({len(result.misses)}):")
        rows += [f"  [{m['language']}/{m['kind']}] {m['query']!r}: {m['problem']}" for m in result.misses]
    return "\n".join(rows)
