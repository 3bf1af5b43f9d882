"""Optimistic concurrency for back-office edits: the version you read must still be current."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, FieldError


class StaleVersion(Conflict):
    code = "stale_version"


def check_version(current: int, given: int) -> None:
    if current != given:
        message = f"version {given} is stale; the current version is {current}"
        raise StaleVersion(message, fields=[FieldError("version", message, "stale_version")], current_version=current)
