"""CPU per request kind of ``bench/load.py``'s mix, served in one process (no HTTP, no gunicorn).

``bench/load.py`` says how the server copes; this says where its CPU goes. It serves the same
mix (:class:`load_mix.RequestMix`) through the app's test client, one request at a time, on the
10,000-service directory ``bench/load.py`` prepares, with a caseworker saving an edit every
``--edit-every`` requests (100 = one edit a second at 100 requests a second), and reports per
kind of request the count and the median, p95 and mean of the thread's CPU time in ms. With
``--profile FILE`` the whole run is profiled (cProfile; open it with ``pstats``).

Usage::

    .venv/bin/python bench/load.py --runs 0          # only prepares the directory and index
    .venv/bin/python bench/mix_cpu.py --requests 3000
    .venv/bin/python bench/mix_cpu.py --requests 3000 --profile /tmp/mix.prof

Not a test: pytest collects ``tests/`` only.
"""

from __future__ import annotations

import argparse
import cProfile
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from load import CASEWORKER, DEFAULT_DB, PASSWORD, prepare  # noqa: E402
from load_mix import RequestMix, token  # noqa: E402

KINDS = [
    ("api search", re.compile(r"^/api/v1/search")),
    ("results page", re.compile(r"^/search")),
    ("detail page", re.compile(r"^/services/")),
    ("home", re.compile(r"^/$")),
    ("welcome", re.compile(r"^/welcome")),
]


def kind_of(path: str) -> str:
    """The mix's name for ``path``."""
    return next((name for name, pattern in KINDS if pattern.match(path)), "other")


def summarise(samples: dict[str, list[float]]) -> list[str]:
    """One line per kind: count, median / p95 / mean CPU ms."""
    lines = []
    for name, values in sorted(samples.items(), key=lambda item: -sum(item[1])):
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        lines.append(f"  {name:14s} n={len(values):5d}  median {statistics.median(values):7.2f}  "
                     f"p95 {p95:7.2f}  mean {statistics.fmean(values):7.2f}  total {sum(values) / 1000:6.2f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-mix-cpu"))
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warm", type=int, default=500, help="requests served first, not counted")
    parser.add_argument("--edit-every", type=int, default=100, help="requests between edits (0: none)")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)

    from staff import form_fields, sign_in

    from kiosk import create_app
    from kiosk.db import get_database
    from kiosk.listing_cache import get_listing_cache, prefill
    from kiosk.serving import freeze_heap

    home = args.workdir / "host"
    ids = prepare(args.db, args.services, home)
    app = create_app({"DATABASE_URL": args.db, "KIOSK_HOME": str(home), "SECRET_KEY": "mix-cpu"})
    with app.app_context(), get_database(app).session_factory() as session:
        started = time.process_time()
        count = prefill(session, get_listing_cache(app))
        print(f"listing cache: {count} services in {time.process_time() - started:.1f} s CPU")
    freeze_heap()  # as a gunicorn worker does after its warm-up
    client = app.test_client()
    staff = app.test_client()
    sign_in(staff, CASEWORKER, PASSWORD)
    mix = RequestMix(ids)
    editable = iter(ids[::3])
    samples: dict[str, list[float]] = defaultdict(list)
    profiler = cProfile.Profile() if args.profile else None
    edits = 0
    total = args.warm + args.requests
    wall = time.perf_counter()
    for number in range(total):
        counted = number >= args.warm
        if counted and profiler is not None and number == args.warm:
            profiler.enable()
        if args.edit_every and number % args.edit_every == args.edit_every - 1:
            service_id = next(editable)
            path = f"/admin/listings/{service_id}"
            before = time.thread_time()
            page = staff.get(path)
            values = form_fields(page.get_data(as_text=True), path)
            values["description"] = [f"Checked by the mix: {token(99, edits)}."]
            answer = staff.post(path, data=values)
            spent = (time.thread_time() - before) * 1000
            if answer.status_code not in (303, 422):
                print(f"edit {service_id}: HTTP {answer.status_code}")
            edits += 1
            if counted:
                samples["edit (GET+POST)"].append(spent)
        path = mix.any()
        before = time.thread_time()
        answer = client.get(path)
        answer.get_data()
        spent = (time.thread_time() - before) * 1000
        if answer.status_code != 200:
            print(f"{path}: HTTP {answer.status_code}")
        if counted:
            samples[kind_of(path)].append(spent)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    wall = time.perf_counter() - wall
    everything = [v for values in samples.values() for v in values]
    print(f"{args.requests} requests and {edits} edits in {wall:.1f} s wall; CPU ms per request "
          f"(mix mean {statistics.fmean(everything):.2f}):")
    print("\n".join(summarise(samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
