"""Server CPU and size of the caseworker's listing form on a large directory.

Signs a caseworker in with the test client (one process, no HTTP) and, for ``--rounds`` listings
of the 10,000-service directory ``bench/load.py`` prepares, measures the thread's CPU time of:

* ``GET /admin/listings/<id>`` (the form) and the page's size;
* a ``POST`` that changes the description (saved, 303; or 422 where the synthetic listing does
  not pass validation, e.g. a minimum age above the maximum);
* a ``POST`` with a bad e-mail address (nothing saved, the form again with the error, 422).

Prints the median and p90 of each in ms, and the median page size. Run it on a copy of the load
directory (it saves edits)::

    pg_dump -h 127.0.0.1 -U postgres kiosk_load | psql -q -h 127.0.0.1 -U postgres kiosk_copy
    .venv/bin/python bench/listing_form.py --db postgresql+psycopg://postgres@127.0.0.1:5432/kiosk_copy

Not a test: pytest collects ``tests/`` only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from load import CASEWORKER, PASSWORD, prepare  # noqa: E402


def _timed(call: Any) -> tuple[Any, float]:
    """``call()``'s response (body read) and the thread's CPU time it took, in ms."""
    before = time.thread_time()
    response = call()
    response.get_data()
    return response, (time.thread_time() - before) * 1000


def _line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"  {name:18s} n={len(values):3d}  median {statistics.median(values):7.1f} ms  p90 {p90:7.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a copy of the load directory (edits are saved)")
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-listing-form"))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warm", type=int, default=3, help="rounds first, not counted")
    args = parser.parse_args(argv)

    from staff import form_fields, sign_in

    from kiosk import create_app

    home = args.workdir / "host"
    ids = prepare(args.db, args.services, home)
    app = create_app({"DATABASE_URL": args.db, "KIOSK_HOME": str(home), "SECRET_KEY": "listing-form"})
    staff = app.test_client()
    assert sign_in(staff, CASEWORKER, PASSWORD).status_code == 303
    samples: dict[str, list[float]] = {"GET form": [], "POST saved (303)": [], "POST error (422)": []}
    sizes: list[int] = []
    for number, service_id in enumerate(ids[7::97][: args.warm + args.rounds]):
        counted = number >= args.warm
        path = f"/admin/listings/{service_id}"
        page, spent = _timed(lambda: staff.get(path))
        assert page.status_code == 200, page.status_code
        if counted:
            samples["GET form"].append(spent)
            sizes.append(len(page.get_data()))
        values = form_fields(page.get_data(as_text=True), path)
        wrong = {**values, "email": ["not an address"]}
        answer, spent = _timed(lambda: staff.post(path, data=wrong))
        assert answer.status_code == 422, answer.status_code
        if counted:
            samples["POST error (422)"].append(spent)
        values["description"] = [f"Checked by the listing form benchmark, round {number}."]
        answer, spent = _timed(lambda: staff.post(path, data=values))
        assert answer.status_code in (303, 422), answer.status_code
        if counted:  # some synthetic listings do not pass validation (minimum age above maximum)
            samples["POST saved (303)" if answer.status_code == 303 else "POST error (422)"].append(spent)
    print(f"listing form, {args.rounds} listings, thread CPU:")
    for name, values in samples.items():
        print(_line(name, values))
    print(f"  page size          median {statistics.median(sizes) / 1024:7.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
