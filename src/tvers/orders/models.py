"""Orders tables (private to the orders module)."""

from __future__ import annotations
