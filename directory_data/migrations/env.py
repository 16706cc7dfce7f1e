"""Alembic environment: runs on the engine passed in ``config.attributes['engine']``.

On SQLite, foreign keys are switched off while migrations run (a pragma that only takes effect
outside a transaction) and checked afterwards: batch migrations recreate a table by copying it,
dropping the original and renaming the copy, and dropping a parent table with foreign keys on
deletes its children's rows through ``ON DELETE CASCADE`` (a downgrade of 0004 lost every
service's locations that way).
"""

from __future__ import annotations

from alembic import context

from directory_data.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left rows with dangling foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
