"""Typed access to what a statement did."""

from __future__ import annotations


def rows_changed(result: object) -> int:
    """Rows an UPDATE or DELETE touched: the conditional updates decide on this number."""
    return int(getattr(result, "rowcount", 0) or 0)
