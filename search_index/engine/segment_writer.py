"""A Whoosh segment writer that keeps postings grouped per term: the same segment, less work.

Whoosh's ``SegmentWriter`` pools every posting as a tuple, sorts them all at commit and hands
them one by one to the codec. :class:`GroupedSegmentWriter` records each field's terms per
document (:mod:`search_index.engine.term_table`) and at commit encodes each term's postings at once
(:class:`~search_index.engine.w3_postings.PostingsEncoder`); everything else goes through
Whoosh's own code. The files are byte for byte Whoosh's (``tests/test_index_segment_writer.py``).
Only what the schema uses is supported (no vectors, spelling fields, boosts or ``_stored_``:
refused), and it never merges existing segments.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec
from whoosh.fields import FieldType, UnknownFieldError
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search_index.engine.fast_terms import TermCounts, word_splitter
from search_index.engine.term_table import TermTable, TextTable, WordTerms
from search_index.engine.w3_postings import PostingsEncoder, add_terms, grouped_codec

#: Short field values whose terms are remembered (keyword, id and boolean fields repeat a lot).
MEMO_MAX_CHARS = 300
MEMO_MAX_ENTRIES = 20_000


def _checked_counts(field: FieldType, value: Any) -> TermCounts:
    """``{term bytes: frequency}`` from Whoosh's ``field.index(value)`` (ValueError: not plain postings)."""
    frequency = type(field.format) is Frequency
    counts: TermCounts = {}
    for term, freq, weight, value_bytes in field.index(value):
        expected = (float(freq), pack_uint(freq)) if frequency else (1.0, b"")
        if (weight, value_bytes) != expected:
            raise ValueError(f"field {field!r}: posting {term!r} is not a plain {type(field.format).__name__}")
        counts[term] = freq
    return counts


def _memoized_counter(field: FieldType) -> Callable[[Any], TermCounts]:
    """Term counts through ``field.index``, remembered for short hashable values."""
    memo: dict[Hashable, TermCounts] = {}

    def count(value: Any) -> TermCounts:
        short = isinstance(value, (bool, int)) or (isinstance(value, str) and len(value) <= MEMO_MAX_CHARS)
        if not short:
            return _checked_counts(field, value)
        key = (type(value), value)
        found = memo.get(key)
        if found is None:
            found = _checked_counts(field, value)
            if len(memo) < MEMO_MAX_ENTRIES:
                memo[key] = found
        return found

    return count


class _FieldPlan:
    """What adding one field of a document involves (worked out once per writer)."""

    __slots__ = ("field", "indexed", "scorable", "stored", "column", "length_column", "text", "count",
                 "frequency", "table")

    def __init__(self, name: str, field: FieldType, words: dict[int, WordTerms]) -> None:
        self.field = field
        self.indexed = bool(field.indexed)
        self.scorable = bool(field.scorable)
        self.stored = bool(field.stored)
        self.column = field.column_type
        self.length_column = f"_{name}_len"  # as whoosh.codec.whoosh3 names it
        self.text: TextTable | None = None
        if not self.indexed:
            return
        fmt = field.format
        if (type(fmt) not in (Frequency, Existence) or fmt.field_boost != 1.0 or field.vector
                or field.separate_spelling()):
            raise ValueError(f"field {name!r}: only Frequency or Existence postings without "
                             f"boosts, vectors or spelling fields can be grouped")
        self.frequency = type(fmt) is Frequency
        self.count = _memoized_counter(field)
        find_words = word_splitter(field) if self.frequency else None
        if find_words is None:
            self.table = TermTable()
        else:
            shared = words.setdefault(id(field.analyzer), {})
            self.table = self.text = TextTable(find_words, field.analyzer, shared)

    def add(self, doc: int, value: Any) -> int:
        """Record the terms of ``value`` in ``doc``; returns the field length to store."""
        if self.text is not None and isinstance(value, str):
            length = self.text.add_text(doc, value)
        else:
            length = self.table.add_counts(doc, self.count(value))
        return length if self.scorable else 0


class GroupedSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for new documents whose postings are grouped per term (see the module
    docstring). ``lock``: take the index's write lock (False when the caller holds it or writes a
    segment another process lists)."""

    def __init__(self, ix: Any, *, lock: bool = True, timeout: float = 0.0, codec: W3Codec | None = None) -> None:
        codec = codec if codec is not None else grouped_codec()
        self._encoder = PostingsEncoder(codec)
        super().__init__(ix, _lk=lock, timeout=timeout, codec=codec, limitmb=1)
        words: dict[int, WordTerms] = {}  # per analyzer: fields with the same one share it
        self._plans = {name: _FieldPlan(name, self.schema[name], words) for name in self.schema.names()}

    def add_document(self, **fields: Any) -> None:
        """Add one document: ``fields`` maps field names to values (no ``_boost`` or ``_stored_``)."""
        self._check_state()
        names = sorted(fields)
        plans = self._plans
        for name in names:
            if name not in plans:
                if name.startswith("_"):
                    raise ValueError(f"{name}: boosts and _stored_ values are not supported")
                raise UnknownFieldError(f"No field named {name!r} in {self.schema}")
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        # What W3PerDocWriter.add_field() and add_column_value() do, without their calls.
        stored = perdoc._storedfields
        lengths = perdoc._fieldlengths
        column = self._column
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                plan = plans[name]
                if plan.stored:
                    stored[name] = value
                if plan.indexed:
                    length = plan.add(docnum, value)
                    if length:
                        column(plan.length_column, LENGTHS_COLUMN).add(docnum, length_to_byte(length))
                        lengths[name] += length
                if plan.column:
                    column(name, plan.column).add(docnum, plan.field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _column(self, name: str, column: Any) -> Any:
        """The per-document writer's column writer ``name``, created on first use."""
        writers = self.perdocwriter._colwriters
        found = writers.get(name)
        if found is None:
            self.perdocwriter._create_column(name, column)
            found = writers[name]
        return found

    def add_reader(self, reader: Any) -> None:
        """Not supported: this writer only writes new documents (see the module docstring)."""
        raise NotImplementedError("a grouped segment writer does not merge segments")

    def commit(self, mergetype: Any = None, optimize: bool = False, merge: bool = False) -> None:
        """Write the segment and a table of contents listing it beside the existing segments."""
        if optimize or merge or mergetype is not None:
            raise NotImplementedError("a grouped segment writer does not merge segments")
        super().commit(merge=False)

    def _flush_segment(self) -> None:
        """Close the per-document files, then write the grouped postings and the terms file."""
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()

    def _write_postings(self) -> None:
        writer = self.fieldwriter
        postfile, terms_file, fieldmap = writer._postfile, writer._tindex, writer._fieldmap
        encode = self._encoder.encode
        offset = postfile.tell()
        for name in sorted(self._plans):
            plan = self._plans[name]
            if not plan.indexed:
                continue
            grouped = plan.table.grouped()
            if not grouped:
                continue
            prefix = pack_ushort(fieldmap.setdefault(name, len(fieldmap)))
            chunks = []
            entries = []
            for term, docs, freqs in grouped:
                data, info = encode(offset, docs, freqs if plan.frequency else None)
                chunks.append(data)
                offset += len(data)
                entries.append((prefix + term, info))
            postfile.write(b"".join(chunks))
            add_terms(terms_file, entries)
            plan.table = TermTable()
