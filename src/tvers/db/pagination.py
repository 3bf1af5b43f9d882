"""Cursor pagination: opaque `after` cursors over time-sortable ids."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.ids import InvalidId, id_prefix

T = TypeVar("T")

MAX_LIMIT = 200


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    message = "the cursor is not one this API gave out"
    try:
        last_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        id_prefix(last_id)  # cursors wrap ids; anything else was not made here
    except (binascii.Error, UnicodeDecodeError, ValueError, InvalidId):
        raise InvalidCursor(message, fields=[FieldError("after", message, "invalid_cursor")]) from None
    return last_id


def page_of(rows: Sequence[T], *, limit: int, last_id: str | None) -> Page[T]:
    """`rows` were fetched with limit + 1: one extra row tells whether a next page exists."""
    has_more = len(rows) > limit
    return Page(items=list(rows[:limit]), next_cursor=encode_cursor(last_id) if has_more and last_id else None)
