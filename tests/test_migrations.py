"""Alembic migrations create the schema the models describe, and re-running them is harmless."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from directory_data import migrate
from directory_data.db import make_engine
from directory_data.models import MISSION_CATEGORIES, Base


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


def test_upgrade_is_idempotent_and_at_head(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_mission_categories_are_seeded(engine: Engine) -> None:
    with engine.connect() as connection:
        slugs = set(connection.execute(text("SELECT slug FROM category")).scalars())
    assert set(MISSION_CATEGORIES) <= slugs


def test_upgrade_from_empty_sqlite(tmp_path: Path) -> None:
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert migrate.current_revision(fresh) is None
    migrate.upgrade(fresh)
    assert set(inspect(fresh).get_table_names()) >= set(Base.metadata.tables)
    fresh.dispose()
