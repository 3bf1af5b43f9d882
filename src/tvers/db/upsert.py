"""Insert-if-absent, the one statement whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_missing(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, keys: Sequence[str]) -> None:
    """Insert rows whose key is not there yet; never read-then-write, so concurrent callers are safe."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=list(keys)), list(rows))


def insert_if_absent(session: Session, table: Table, row: dict[str, Any], *, keys: Sequence[str]) -> bool:
    """Insert one row unless its key is there; True when this call inserted it (a retry or a racing twin gets False)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING.
    statement = dialect.insert(table).values(**row).on_conflict_do_nothing(index_elements=list(keys)).returning(*table.primary_key)
    return session.execute(statement).first() is not None
