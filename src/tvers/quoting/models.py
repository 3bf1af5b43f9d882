"""Quoting tables (private to the quoting module)."""

from __future__ import annotations
