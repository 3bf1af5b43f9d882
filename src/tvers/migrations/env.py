"""Alembic environment: runs on the engine Tvers hands over (see tvers.db.migrate)."""

from __future__ import annotations

from alembic import context

from tvers.schema import target_metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    context.run_migrations()
