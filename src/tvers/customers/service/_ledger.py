"""Balance moves shared by points and store credit: upsert the account, then one conditional UPDATE."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tvers.db.uow import Uow


def ensure_account(uow: Uow, table: Table, values: dict[str, Any]) -> None:
    """Create the account row if missing; concurrent creators both succeed (ON CONFLICT DO NOTHING)."""
    insert = pg_insert if uow.dialect == "postgresql" else sqlite_insert
    uow.session.execute(insert(table).values(**values).on_conflict_do_nothing())
