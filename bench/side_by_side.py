"""Run one benchmark of ``bench/`` on two checkouts, turn about, and compare their figures.

The code before a change and the code after it are measured in one run on the same machine:
``before, after, before, after, ...`` (``--rounds`` each), so drifts in the machine's load fall on
both sides alike. Each side runs its own copy of the benchmark script (``<checkout>/bench/NAME``)
with its own code (the scripts put their checkout first on ``sys.path``) in this interpreter, with
its own work folder (index formats may differ between the two). The script must accept ``--out
FILE`` and write a JSON object; the figures compared are the numeric leaves named by ``--metric``
(dotted paths such as ``synthetic-10000.ours.p95``), reported as the median over the rounds and
the ratio after / before.

Usage::

    git worktree add /tmp/before <commit>
    python bench/side_by_side.py --before /tmp/before --after . --rounds 3 \\
        --metric synthetic-10000.ours.p95 synthetic-100000.ours.p95 synthetic-10000.http.p95 \\
        -- search.py --sizes 10000 100000 --runs 3 --http

Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def leaf(document: Any, path: str) -> float | None:
    """The number at the dotted ``path`` of ``document`` (None when it is not there)."""
    node = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, (int, float)) else None


def run_side(checkout: Path, script: str, args: list[str], workdir: Path) -> dict[str, Any]:
    """Run ``checkout/bench/script`` once with ``args``; its JSON output."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, str(checkout / "bench" / script), *args, "--workdir", str(workdir),
                   "--out", out.name]
        # A benchmark that misses its target exits 1 but still writes its figures.
        if subprocess.run(command, cwd=checkout, stdout=subprocess.DEVNULL).returncode not in (0, 1):
            raise SystemExit(f"{script} failed in {checkout}")
        return json.loads(Path(out.name).read_text() or "{}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout of the code before the change")
    parser.add_argument("--after", type=Path, default=Path("."), help="checkout of the code after it")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--metric", nargs="+", required=True, help="dotted paths of the figures to compare")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-side-by-side"))
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    parser.add_argument("bench", nargs=argparse.REMAINDER, help="-- SCRIPT [its arguments]")
    args = parser.parse_args(argv)
    bench = args.bench[1:] if args.bench[:1] == ["--"] else args.bench
    if not bench:
        parser.error("name the benchmark script after --")
    script, script_args = bench[0], bench[1:]
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    figures: dict[str, dict[str, list[float]]] = {side: {m: [] for m in args.metric} for side in sides}
    for round_number in range(1, args.rounds + 1):
        for side, checkout in sides.items():
            print(f"== round {round_number}: {side} ({checkout})", flush=True)
            document = run_side(checkout, script, script_args, args.workdir / side)
            for metric in args.metric:
                value = leaf(document, metric)
                if value is not None:
                    figures[side][metric].append(value)
    print(f"\n{'figure':45} {'before':>10} {'after':>10} {'after/before':>13}")
    summary: dict[str, Any] = {}
    for metric in args.metric:
        before, after = figures["before"][metric], figures["after"][metric]
        if not before or not after:
            print(f"{metric:45} {'-':>10} {'-':>10} {'-':>13}")
            continue
        b, a = statistics.median(before), statistics.median(after)
        ratio = a / b if b else float("inf")
        summary[metric] = {"before": before, "after": after, "median_before": b, "median_after": a,
                           "ratio": round(ratio, 3)}
        print(f"{metric:45} {b:10.3f} {a:10.3f} {ratio:13.3f}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
