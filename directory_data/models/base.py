"""Declarative base, naming convention, shared column types and mixins."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Namespace for ids derived from a source's own (non-UUID) ids, so re-imports give the same UUIDs.
ID_NAMESPACE = uuid.UUID("5b0f2a9e-8c1d-4e7a-9b3f-2d6c4a1e8f70")


def new_id() -> str:
    """A fresh random UUID in text form, the id of a record created here."""
    return str(uuid.uuid4())


_NAMESPACE_BYTES = ID_NAMESPACE.bytes
#: The shortest text ``uuid.UUID()`` accepts: 32 hex digits (dashes, braces, ``urn:uuid:`` add).
_UUID_MIN_CHARS = 32


def stable_id(source: str, table: str, source_id: str) -> str:
    """The UUID for ``source_id`` of ``table`` in ``source``.

    A source id that already is a UUID is kept (normalised to lower case); any other id is mapped
    to a UUIDv5 that is the same on every import.
    """
    if len(source_id) >= _UUID_MIN_CHARS:
        try:
            return str(uuid.UUID(source_id))
        except ValueError:
            pass
    return uuid5_text(_NAMESPACE_BYTES, f"{source}\x1f{table}\x1f{source_id}")


def uuid5_text(namespace: bytes, name: str) -> str:
    """``str(uuid.uuid5(UUID(bytes=namespace), name))`` without building UUID objects (imports
    compute one per record)."""
    digest = bytearray(hashlib.sha1(namespace + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass a timezone-aware value")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every model; its metadata carries the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SourcedMixin:
    """Where a record came from: the import source and its id there (upsert key), plus our UUID."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(100), default="local", index=True)
    source_id: Mapped[str] = mapped_column(String(200), default="")


class TimestampMixin:
    """Created and updated timestamps, set by the database layer on insert and update."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """A ``version`` column used for optimistic locking (see ``__mapper_args__`` on each model)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
