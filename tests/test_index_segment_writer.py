"""The grouped segment writer writes, byte for byte, the segment Whoosh's own writer writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.fields import ID, TEXT, Schema, UnknownFieldError
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import StructFile
from whoosh.writing import SegmentWriter

from directory_data.curated import parts
from directory_data.hsds.importer import import_path
from directory_data.models import Service
from search_factory import add_sample_directory
from search_index.engine.analysis import ENGLISH_ANALYZER
from directory_data.service_rows import load_listings
from search_index.documents import service_document
from search_index.engine.segment_writer import GroupedSegmentWriter
from search_index.engine.store import create_index
from search_index.engine.w3_postings import grouped_codec

Document = dict[str, Any]

WORDS = ["shelter", "shelters", "Sheltering", "beds", "the", "and", "of", "a", "food", "pantry", "rent",
         "counseling", "counselling", "niños", "Guardería", "guarderia", "vivienda", "ayuda", "para", "con",
         "O'Brien", "U.S.", "AT&T", "24", "988", "crisis", "Crisis", "CRISIS", "café", "naïve", "x"]


@pytest.fixture
def fixed_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new segment gets the same id and stays in separate files (not one compound file,
    which records each file's modification time), so two writers' files can be compared."""
    monkeypatch.setattr(W3Segment, "_random_id", classmethod(lambda cls, size=16: "fixedsegment0000"))
    monkeypatch.setattr(W3Segment, "should_assemble", lambda self: False)


def write(path: Path, writer_class: type, documents: Sequence[Document], codec: Any = None) -> dict[str, bytes]:
    """Write ``documents`` into a new index at ``path`` with ``writer_class``; its files' bytes."""
    ix = create_index(path)
    writer = writer_class(ix, codec=codec or grouped_codec())
    for doc in documents:
        writer.add_document(**doc)
    writer.commit(merge=False)
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def assert_same_segment(tmp_path: Path, documents: Sequence[Document], codec: Any = None) -> dict[str, bytes]:
    ours = write(tmp_path / "grouped", GroupedSegmentWriter, documents, codec)
    whoosh = write(tmp_path / "whoosh", SegmentWriter, documents, codec)
    assert sorted(ours) == sorted(whoosh)
    for name in whoosh:
        assert ours[name] == whoosh[name], name
    return ours


def document(n: int, text: str, extra: str = "") -> Document:
    return {
        "id": f"svc-{n:05d}", "name": f"{text[:40]} {n}", "name_es": extra, "organization": text[-30:],
        "description": f"{text} {extra}", "description_es": extra, "taxonomy_names": "Shelters\nHousing",
        "taxonomy_codes": "bh-1800.8500", "categories": "housing,abuse" if n % 3 else "mental-health",
        "eligibility": "", "cost": "free" if n % 2 else "", "accessibility": "", "languages": "en,es",
        "phones": f"407555{n:04d},988", "spell": f"{text}\n{extra}", "free": bool(n % 2), "walk_in": n % 5 == 0,
        "min_age": -1 if n % 4 else 18, "max_age": -1, "hours": {"tz": "America/New_York", "w": [[540, 1020]]} if n % 2 else None,
        "points": [[28.8, -81.27, "32771"]] if n % 3 else [], "zips": "32771", "assured": 739000 + n,
        "status": "active", "hours_key": b'{"w":[[540,1020]]}' if n % 2 else b"", "geo": b"28.8,-81.27,32771",
        "sort_name": text[:20].lower().encode(),
    }


def test_same_segment_for_the_sample_directory(
    session_factory: sessionmaker[Session], tmp_path: Path, fixed_segments: None
) -> None:
    with session_factory.begin() as session:
        ids = add_sample_directory(session)
        for path, source in parts():
            import_path(session, path, source=source)
    with session_factory() as session:
        every = list(session.scalars(select(Service.id)))
        documents = [service_document(s) for s in load_listings(session, every)]
    assert len(documents) > len(ids) + 100
    assert_same_segment(tmp_path, documents)


def test_same_segment_with_long_posting_lists(tmp_path: Path, fixed_segments: None) -> None:
    """300 documents sharing words: terms with several blocks of 128 postings, varied frequencies."""
    documents = [document(n, " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 2 + n % 40)), WORDS[n % 7] * (n % 3))
                 for n in range(300)]
    files = assert_same_segment(tmp_path, documents)
    assert any(name.endswith(".pst") and len(data) > 10_000 for name, data in files.items())


def test_same_segment_with_compressed_postings(tmp_path: Path, fixed_segments: None) -> None:
    """Whoosh's default compression of postings blocks (zlib level 3) is written the same too."""
    codec = W3Codec()
    codec.length_stats = False
    documents = [document(n, " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 2 + n % 40)))
                 for n in range(200)]
    assert_same_segment(tmp_path, documents, codec)
    assert grouped_codec()._compression == 0 and W3Codec()._compression == 3


pieces = st.one_of(st.sampled_from([*WORDS, " ", ", ", ".", "\n"]),
                   st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8))
texts = st.lists(pieces, max_size=30).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=30))
def test_same_segment_for_any_text(tmp_path_factory: pytest.TempPathFactory, fixed_segments: None,
                                   values: list[tuple[str, str]]) -> None:
    documents = [document(n, text, extra) for n, (text, extra) in enumerate(values)]
    assert_same_segment(tmp_path_factory.mktemp("any"), documents)


def test_compound_segment_holds_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the usual compound segment file, the files inside are the same."""
    monkeypatch.setattr(W3Segment, "_random_id", classmethod(lambda cls, size=16: "fixedsegment0000"))
    documents = [document(n, " ".join(WORDS[n % 9:n % 9 + 6])) for n in range(50)]

    def members(path: Path, writer_class: type) -> dict[str, bytes]:
        write(path, writer_class, documents)
        (seg,) = path.glob("*.seg")
        with open(seg, "rb") as handle:
            store = CompoundStorage(StructFile(handle), use_mmap=False)
            return {name: store.open_file(name).read() for name in store.list()}

    ours, whoosh = members(tmp_path / "grouped", GroupedSegmentWriter), members(tmp_path / "whoosh", SegmentWriter)
    assert ours == whoosh and len(ours) > 5


def test_refuses_what_it_cannot_write_exactly(tmp_path: Path) -> None:
    ix = create_index(tmp_path / "ix")
    writer = GroupedSegmentWriter(ix)
    try:
        with pytest.raises(ValueError, match="boosts"):
            writer.add_document(id="a", _boost=2.0)
        with pytest.raises(UnknownFieldError):
            writer.add_document(id="a", nonsense="x")
        with pytest.raises(NotImplementedError):
            writer.commit(optimize=True)
    finally:
        writer.cancel()


def test_commit_adds_a_segment_beside_the_existing_ones(tmp_path: Path) -> None:
    ix = create_index(tmp_path / "ix")
    first = ix.writer()
    first.add_document(**document(1, "food pantry"))
    first.commit()
    writer = GroupedSegmentWriter(ix)
    writer.add_document(**document(2, "emergency shelter beds"))
    writer.add_document(**document(3, "shelter for families"))
    writer.commit()
    with ix.searcher() as searcher:
        assert len(list(searcher.reader().leaf_readers())) == 2
        found = sorted(searcher.stored_fields(d)["id"] for d in searcher.document_numbers(description="shelter"))
        assert found == ["svc-00002", "svc-00003"]
        assert [d["id"] for d in searcher.documents(description="food")] == ["svc-00001"]


@pytest.mark.slow
def test_same_segment_for_miami(miami_database: Any, tmp_path: Path, fixed_segments: None) -> None:
    """Every document of the real Miami 211 export (4,089 services, 501 of them held for review:
    no document)."""
    with miami_database.session_factory() as session:
        every = list(session.scalars(select(Service.id)))
        documents = [service_document(s) for s in load_listings(session, every)]
    assert len(documents) == 4089 - 501
    assert_same_segment(tmp_path, documents)


def test_refuses_field_boosts(tmp_path: Path) -> None:
    """Weights other than whole frequencies (a field boost) are refused: the schema has none."""
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=ENGLISH_ANALYZER, phrase=False, field_boost=2.5))
    ix = index.create_in(str(tmp_path), schema)
    with pytest.raises(ValueError, match="boosts"):
        GroupedSegmentWriter(ix, lock=False)
