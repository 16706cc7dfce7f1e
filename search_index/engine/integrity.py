"""Checksums of an index generation's segment files, to find damage that still opens.

Bytes damaged in the middle of a segment file let the index open and fail searches later
(``zlib.error``). Whoosh never changes a committed segment file, so ``checksums.json`` (each
file's size and SHA-256, added by :func:`record_checksums` after every commit) tells whether it
is intact: a serving process runs :func:`verify_checksums` once per generation and rebuilds
when it fails. Files without a recorded checksum are not judged.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex

from search_index.engine.layout import IndexLayout, read_json, write_atomic
from search_index.engine.store import open_index

#: The checksum file's name inside a generation.
CHECKSUMS = "checksums.json"


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def segment_files(ix: FileIndex) -> list[str]:
    """The names of the files of the segments the latest table of contents of ``ix`` lists."""
    toc = ix._read_toc()
    return sorted(name for segment in toc.segments for name in segment.list_files(ix.storage))


def record_checksums(ix: FileIndex) -> int:
    """Record checksums of the live segment files of ``ix`` not recorded yet; return how many."""
    folder = Path(ix.storage.folder)
    recorded: dict[str, Any] = (read_json(folder / CHECKSUMS) or {}).get("files", {})
    names = segment_files(ix)
    fresh = {name: recorded[name] for name in names if name in recorded}
    added = 0
    for name in names:
        if name not in fresh:
            path = folder / name
            fresh[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
            added += 1
    if added or fresh.keys() != recorded.keys():
        write_atomic(folder / CHECKSUMS, json.dumps({"files": fresh}, indent=1, sort_keys=True))
    return added


def verify_checksums(path: Path) -> str | None:
    """None when every recorded live segment file of the index in ``path`` is intact, else why not
    (raises what :func:`whoosh.index.open_dir` raises when the index cannot be opened)."""
    recorded: dict[str, Any] = (read_json(Path(path) / CHECKSUMS) or {}).get("files", {})
    if not recorded:
        return None
    ix = open_index(path)
    for name in segment_files(ix):
        expected = recorded.get(name)
        if expected is None:
            continue
        file = Path(path) / name
        try:
            size = file.stat().st_size
        except OSError as error:
            return f"{file}: {error.strerror or error}"
        if size != expected["size"] or _sha256(file) != expected["sha256"]:
            return f"{file}: damaged (its checksum differs from the one recorded at commit)"
    return None


def verify_current(layout: IndexLayout) -> str | None:
    """:func:`verify_checksums` of the live generation of ``layout`` (None when there is none)."""
    generation = layout.current()
    if generation is None:
        return None
    try:
        return verify_checksums(generation.path)
    except Exception as error:  # Whoosh raises many kinds on a damaged directory
        return f"{generation.path}: cannot be checked ({error!r})"
