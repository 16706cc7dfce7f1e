"""Rebuild ``directory_data/crisis_examples.csv`` from the judged crisis files.

Every row of ``tests/relevance/crisis_*.csv`` and ``tests/relevance/held_out/crisis_*.csv`` (danger
signals and look-alikes alike) becomes an example with its file's name as ``source``; rows whose
source is not a judged file (a caseworker's own, e.g. ``source`` = ``caseworker``) are kept as
they are. Run from the project root: ``python scripts/build_crisis_examples.py``.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "relevance"))

from crisis_scoring import load_crisis_judgments  # noqa: E402

from search_index.query.crisis_examples import EXAMPLES_PATH  # noqa: E402
from search_index.query.data_rows import data_rows  # noqa: E402

HEADER = """\
# Examples for the crisis backstop: queries with the lines they should pin (empty for a look-alike
# that must pin nothing). A query the word-list rules (crisis_triggers.csv) pin nothing for is compared
# with every example by character n-gram similarity (search_index/query/crisis_examples.py); a line is
# pinned when a danger example is very close and no look-alike is as close, or the closest examples vote for it.
#
# Columns:
#   query     what someone typed or might type (any spelling, as typed)
#   language  en, es or ht
#   lines     the acceptable lines, the first pinned first ("|"-separated keys of crisis_lines.csv);
#             empty for a look-alike
#   now       yes when the example means danger happening now ("Call 911 now")
#   source    where the row comes from: a judged file's name (rebuilt by scripts/build_crisis_examples.py
#             from tests/relevance/crisis_*.csv; the judged tests score each file with its own rows
#             left out), or anything else for a row added by hand (kept by the rebuild)
#
# To add a case: add a row with source "caseworker" (a danger the rules missed, or a look-alike they
# pinned); tests/test_crisis_examples.py checks every row.
"""


def judged_files() -> list[Path]:
    """The judged crisis files, tuning and held-out."""
    here = ROOT / "tests" / "relevance"
    return sorted(here.glob("crisis_*.csv")) + sorted((here / "held_out").glob("crisis_*.csv"))


def build() -> str:
    """The new text of the examples file."""
    files = judged_files()
    sources = {p.stem for p in files}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["query", "language", "lines", "now", "source"])
    for path in files:
        for j in load_crisis_judgments(path):
            writer.writerow([j.query, j.language, "|".join(j.lines), "yes" if j.now else "no", path.stem])
    if EXAMPLES_PATH.exists():
        for _, row in data_rows(EXAMPLES_PATH.read_text(encoding="utf-8")):
            if row.get("source", "") not in sources:
                writer.writerow([row.get(k, "") for k in ("query", "language", "lines", "now", "source")])
    return HEADER + out.getvalue()


if __name__ == "__main__":
    EXAMPLES_PATH.write_text(build(), encoding="utf-8")
    print(f"wrote {EXAMPLES_PATH}")
