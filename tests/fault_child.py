"""A process to be SIGKILLed at a chosen point of an index write (``tests/test_fault_kill.py``).

Run as ``python tests/fault_child.py --db URL --index DIR --service ID --name NAME --point P``.
It commits a rename of service ID (journaled, as a kiosk request would), then applies the
journal to the index with the real search layer, and stops dead at point P, printing
``at P`` so the parent knows where it is:

* ``segment``: the new segment's files are written, its table of contents is not;
* ``toc``: the new table of contents is written to its temporary file, not yet renamed in;
* ``committed``: the table of contents is in place, Whoosh's lock and old files not yet released;
* ``cursor``: the Whoosh commit is complete, the journal cursor not yet saved;
* ``rebuild``: a full rebuild has written its new generation, the pointer is not yet switched.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

from directory_data.db import make_engine, make_session_factory  # noqa: E402
from directory_data.models import Service  # noqa: E402
from search_index.upkeep import sync  # noqa: E402
from search_index.upkeep.journal_hooks import install_journal_hooks  # noqa: E402
from search_index.engine.layout import IndexLayout  # noqa: E402
from search_index.upkeep.rebuild import rebuild_index  # noqa: E402

POINTS = ("segment", "toc", "committed", "cursor", "rebuild")


def stop_here(point: str) -> None:
    """Say where this process is, then wait to be killed."""
    print("at", point, flush=True)
    while True:
        time.sleep(60)


def arm(point: str) -> None:
    """Patch the index write so that it stops at ``point``."""
    if point == "segment":
        SegmentWriter._commit_toc = lambda self, segments: stop_here(point)  # type: ignore[method-assign]
    elif point == "toc":
        rename = FileStorage.rename_file

        def rename_file(self: FileStorage, old: str, new: str, safe: bool = False) -> Any:
            if ".toc" in new:
                stop_here(point)
            return rename(self, old, new, safe)

        FileStorage.rename_file = rename_file  # type: ignore[method-assign]
    elif point == "committed":
        write = whoosh_index.TOC.write

        def write_toc(self: Any, storage: Any, indexname: str) -> None:
            write(self, storage, indexname)
            stop_here(point)

        whoosh_index.TOC.write = write_toc  # type: ignore[method-assign]
    elif point == "cursor":
        sync.write_cursor = lambda generation, cursor: stop_here(point)  # type: ignore[assignment]
    elif point == "rebuild":
        IndexLayout.swap = lambda self, generation: stop_here(point)  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--point", choices=POINTS, required=True)
    args = parser.parse_args()
    factory = make_session_factory(make_engine(args.db))
    install_journal_hooks(factory)
    with factory.begin() as session:
        session.get(Service, args.service).name = args.name
    print("committed", flush=True)
    arm(args.point)
    if args.point == "rebuild":
        rebuild_index(IndexLayout(args.index), factory)
    else:
        sync.IndexSync(IndexLayout(args.index), factory).catch_up(lock_timeout=30.0)
    print("finished without stopping", flush=True)


if __name__ == "__main__":
    main()
