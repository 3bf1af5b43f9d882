"""Payments tables (private to the payments module)."""

from __future__ import annotations
