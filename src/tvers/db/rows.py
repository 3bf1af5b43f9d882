"""Typed access to what a statement did."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def rows_changed(result: object) -> int:
    """Rows an UPDATE or DELETE touched: the conditional updates decide on this number."""
    return int(getattr(result, "rowcount", 0) or 0)


def rows_as_json(value: Any) -> str:
    """Rows as compact JSON for a PostgreSQL statement that expands them with jsonb_populate_record(set) into the
    table's own column types; instants must be aware, as UtcDateTime takes them."""
    return json.dumps(value, default=_aware_iso, separators=(",", ":"))


def _aware_iso(value: Any) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable here: {value!r}")
