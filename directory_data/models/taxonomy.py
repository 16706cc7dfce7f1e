"""Taxonomies (AIRS/211, Open Eligibility ...), their terms, and terms attached to services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin

if TYPE_CHECKING:
    from .service import Service


class Taxonomy(SourcedMixin, Base):
    """A controlled vocabulary."""

    __tablename__ = "taxonomy"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(60))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy_detail")


class TaxonomyTerm(SourcedMixin, Base):
    """A term of a taxonomy, such as AIRS ``BH-1800.8500`` "Shelters"."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    code: Mapped[str | None] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="SET NULL")
    )
    taxonomy: Mapped[str | None] = mapped_column(String(200))
    taxonomy_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(12))
    term_uri: Mapped[str | None] = mapped_column(String(500))

    taxonomy_detail: Mapped[Taxonomy | None] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(remote_side="TaxonomyTerm.id")


class ServiceTaxonomy(Base):
    """A taxonomy term attached to a service (HSDS 3.0 ``attribute`` with ``link_entity=service``)."""

    __tablename__ = "service_taxonomy"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    service: Mapped[Service] = relationship(back_populates="taxonomy_links")
    term: Mapped[TaxonomyTerm] = relationship()
