"""Record ids made from source ids: the same UUIDs the uuid module gives, computed faster."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from directory_data.models import stable_id
from directory_data.models.base import ID_NAMESPACE, uuid5_text


def by_the_uuid_module(source: str, table: str, source_id: str) -> str:
    try:
        return str(uuid.UUID(source_id))
    except ValueError:
        return str(uuid.uuid5(ID_NAMESPACE, f"{source}\x1f{table}\x1f{source_id}"))


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
UUID_FORMS = st.uuids().flatmap(lambda u: st.sampled_from([
    str(u), str(u).upper(), u.hex, f"{{{u}}}", f"urn:uuid:{u}", f" {u}", f"{u}-", str(u)[:35]]))


@settings(max_examples=500)
@given(TEXT, st.sampled_from(["service", "phone", "taxonomy_term"]), st.one_of(TEXT, UUID_FORMS))
def test_stable_id_is_the_uuid_modules(source: str, table: str, source_id: str) -> None:
    assert stable_id(source, table, source_id) == by_the_uuid_module(source, table, source_id)


@given(TEXT)
def test_uuid5_text_is_uuid5(name: str) -> None:
    assert uuid5_text(uuid.NAMESPACE_URL.bytes, name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def test_known_values() -> None:
    assert stable_id("open211-miami", "service", "12345") == str(
        uuid.uuid5(ID_NAMESPACE, "open211-miami\x1fservice\x1f12345"))
    assert stable_id("x", "service", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11") == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
