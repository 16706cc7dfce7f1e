"""Every row of every table, for tests that prove a database came back exactly (imported as a module)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, select


def table_rows(engine: Engine, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple[Any, ...]]]:
    """``{table: sorted rows}`` for every table in the database except ``skip``.

    Tables are reflected from the database itself (not the models), so a table the code does
    not map is compared too.
    """
    metadata = MetaData()
    metadata.reflect(engine)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in skip:
                continue
            rows = connection.execute(select(table)).all()
            out[name] = sorted((tuple(row) for row in rows), key=repr)
    return out
