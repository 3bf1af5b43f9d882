"""Prefixed, time-sortable ids: "prd_01JD3V7Q…" (a lower-case prefix and a ULID)."""

from __future__ import annotations

import re
from datetime import datetime

from ulid import LaxMonotonicPolicy, ULIDGenerator

from tvers.kernel.clock import ensure_utc
from tvers.kernel.errors import InvalidInput

__all__ = ["InvalidId", "id_prefix", "is_id", "new_id"]

_PREFIX = re.compile(r"[a-z][a-z0-9]{0,15}")
# Crockford base32 upper-case; a first digit above 7 would overflow 128 bits.
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")

# Within one millisecond the generator increments instead of drawing new randomness,
# so ids made later in this process always sort after earlier ones. Backdated ids get
# their own generator so they never reset the live one's same-millisecond state.
_live = ULIDGenerator(policy=LaxMonotonicPolicy())
_backdated = ULIDGenerator(policy=LaxMonotonicPolicy())


class InvalidId(InvalidInput):
    code = "invalid_id"


def new_id(prefix: str, *, at: datetime | None = None) -> str:
    """A new id with `prefix`; `at` makes one for a given (aware) instant."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"Id prefix must be 1-16 lower-case letters or digits, got {prefix!r}")
    ulid = _live.generate() if at is None else _backdated.generate(ensure_utc(at))
    return f"{prefix}_{ulid}"


def _parts(value: str) -> tuple[str, str] | None:
    prefix, separator, ulid = value.partition("_")
    if separator and _PREFIX.fullmatch(prefix) and _ULID.fullmatch(ulid):
        return prefix, ulid
    return None


def is_id(value: str, *, prefix: str) -> bool:
    """Whether `value` is a well-formed id with exactly this prefix."""
    parts = _parts(value) if isinstance(value, str) else None
    return parts is not None and parts[0] == prefix


def id_prefix(value: str) -> str:
    """The prefix of a well-formed id ("prd" for "prd_01JD…"); InvalidId otherwise."""
    parts = _parts(value) if isinstance(value, str) else None
    if parts is None:
        raise InvalidId("Not a valid id", value=str(value)[:64])
    return parts[0]
