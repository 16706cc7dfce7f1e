"""The mission categories a kiosk tile stands for (mental health, child care, abuse, housing ...)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: The four categories every department's kiosk shows, with their names in English and Spanish.
MISSION_CATEGORIES: dict[str, tuple[str, str]] = {
    "mental-health": ("Mental health", "Salud mental"),
    "childcare": ("Child care", "Cuidado infantil"),
    "abuse": ("Abuse and safety", "Abuso y seguridad"),
    "housing": ("Housing", "Vivienda"),
}


class Category(Base):
    """A category, identified by its slug. Others than the four mission categories are allowed."""

    __tablename__ = "category"

    slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))


class ServiceCategory(Base):
    """A service's membership in a category, and how it was assigned.

    ``assigned_by`` is ``"crosswalk"`` when derived from the service's taxonomy terms through the
    taxonomy crosswalk, or ``"listing"`` when the listing itself names the category.
    """

    __tablename__ = "service_category"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    category_slug: Mapped[str] = mapped_column(ForeignKey("category.slug"), primary_key=True)
    assigned_by: Mapped[str] = mapped_column(String(20), default="listing")
