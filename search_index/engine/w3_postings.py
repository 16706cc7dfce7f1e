"""One term's postings as the bytes Whoosh's W3 codec writes, computed a term at a time.

Whoosh-Reloaded 2.7.5 (pinned in setup.cfg) writes postings through ``W3PostingsWriter``, one
Python call per posting: blocks of pickled ``(delta-encoded ids, weights, values)`` tuples, each
after a pickled summary, and a ``W3TermInfo`` in the terms file. :class:`PostingsEncoder` produces
the same bytes from a term's whole posting list at once, for ``Frequency`` and ``Existence``
fields without field boosts, inlining or per-block length statistics (see :func:`grouped_codec`);
``tests/test_index_segment_writer.py`` compares segments written both ways byte for byte.
"""

from __future__ import annotations

import struct
import zlib
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_uint
from whoosh.util.numeric import length_to_byte

#: The block summary's shortest and longest document length bytes when no lengths are recorded.
_NO_MIN_LENGTH = length_to_byte(None)
_NO_MAX_LENGTH = length_to_byte(0)
_TERMINFO = W3TermInfo._struct
_LENGTHS = struct.Struct("!ii")  # whoosh.filedb.filetables._lengths: key and value sizes

#: Blocks of at most this many postings are remembered, at most this many of them.
SMALL_BLOCK = 4
MAX_REMEMBERED_BLOCKS = 200_000

#: Frequencies below this are exact as 32-bit floats (Whoosh keeps weights in an ``array('f')``).
EXACT_FLOAT32 = 1 << 24


def add_terms(terms_file: OrderedHashWriter, entries: list[tuple[bytes, bytes]]) -> None:
    """Add ``(key, term info)`` entries, keys increasing, to a terms file as ``OrderedHashWriter.add`` does."""
    if not entries:
        return
    if entries[0][0] <= terms_file.lastkey:
        raise ValueError(f"keys must increase: {terms_file.lastkey!r}..{entries[0][0]!r}")
    dbfile, buckets, hashfn, index = terms_file.dbfile, terms_file.buckets, terms_file.hashfn, terms_file.index
    position = dbfile.tell()
    chunks = []
    pack_lengths = _LENGTHS.pack
    for key, value in entries:
        index.append(position)
        chunks += (pack_lengths(len(key), len(value)), key, value)
        h = hashfn(key)
        buckets[h & 255].append((h, position))
        position += 8 + len(key) + len(value)
    dbfile.write(b"".join(chunks))
    terms_file.lastkey = entries[-1][0]


def grouped_codec() -> W3Codec:
    """Whoosh's W3 codec for segments written whole: uncompressed postings blocks (zlib took a
    fifth of a rebuild worker's CPU for postings a third smaller) and no per-block length
    statistics (read only by Whoosh's own block pruning; an attribute on a plain ``W3Codec``, so
    the pickled segments name no class of ours)."""
    codec = W3Codec(compression=0)
    codec.length_stats = False
    return codec


class PostingsEncoder:
    """Encodes terms' postings for one codec (its block size and compression level)."""

    def __init__(self, codec: W3Codec) -> None:
        if getattr(codec, "length_stats", True) or codec._inlinelimit > 1:
            raise ValueError("only a W3 codec without length statistics or inlining is supported")
        self.block_limit: int = codec._blocklimit
        self.compression: int = codec._compression
        self._blocks: dict[tuple[Any, ...], bytes] = {}  # block contents -> compressed pickle

    def _compressed(self, block: tuple[Any, ...]) -> bytes:
        """The pickle of ``block`` compressed at the codec's level (small blocks remembered)."""
        found = self._blocks.get(block)
        if found is None:
            found = dumps(block, 2)
            if self.compression:  # as W3PostingsWriter: level 0 means not compressed at all
                found = zlib.compress(found, self.compression)
            if len(self._blocks) < MAX_REMEMBERED_BLOCKS and len(block[0]) <= SMALL_BLOCK:
                self._blocks[block] = found
        return found

    def encode(self, offset: int, ids: list[int], freqs: list[int] | None) -> tuple[bytes, bytes]:
        """The postings bytes and term info bytes of one term in documents ``ids`` (increasing),
        with ``freqs`` for a ``Frequency`` field (None: ``Existence``) of field boost 1, starting
        at ``offset`` in the postings file."""
        if freqs is not None and max(freqs) >= EXACT_FLOAT32:
            raise ValueError("a frequency of 2**24 or more is not exact as Whoosh's 32-bit weight")
        limit, level = self.block_limit, self.compression
        count = len(ids)
        if count == 1:  # most terms: one block of one posting
            doc = ids[0]
            freq = 1 if freqs is None else freqs[0]
            data = self._compressed(((doc,), None if freq == 1 else float(freq),
                                     None if freqs is None else pack_uint(freq)))
            summary = dumps((1, doc, float(freq), level, _NO_MIN_LENGTH, _NO_MAX_LENGTH), 2)
            size = len(summary) + len(data)
            postings = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-size), summary, data))
            terminfo = _TERMINFO.pack(
                False, float(freq), 1, 0, _NO_MAX_LENGTH, float(freq), doc, doc
            ) + pack_long(offset) + pack_int(len(postings))
            return postings, terminfo
        chunks = [WHOOSH3_HEADER_MAGIC]
        total = max_weight = 0
        for start in range(0, count, limit):
            end = min(start + limit, count)
            block_ids = ids[start:end] if count > limit else ids
            deltas = tuple(map(sub, block_ids, [0, *block_ids]))
            if freqs is None:  # every weight 1.0, no values
                most, weights, values = 1, None, None
                total += end - start
            else:
                block_freqs = freqs[start:end] if count > limit else freqs
                most, least = max(block_freqs), min(block_freqs)
                if most == 1:
                    weights = None
                elif least == most:
                    weights = float(most)
                else:
                    weights = tuple(map(float, block_freqs))
                values = struct.pack(f"!{end - start}I", *block_freqs)
                total += sum(block_freqs)
            data = self._compressed((deltas, weights, values))
            summary = dumps((end - start, block_ids[-1], float(most), level, _NO_MIN_LENGTH, _NO_MAX_LENGTH), 2)
            size = len(summary) + len(data)
            chunks += (pack_int(-size if end == count else size), summary, data)
            max_weight = max(max_weight, most)
        postings = b"".join(chunks)
        terminfo = _TERMINFO.pack(
            False, float(total), count, 0, _NO_MAX_LENGTH, float(max_weight), ids[0], ids[-1]
        ) + pack_long(offset) + pack_int(len(postings))
        return postings, terminfo
