"""Available-to-promise arithmetic, pure: per location, per channel pool, with the channel's buffer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Buffer:
    """What a channel does not see: first a share held back (rounded up), then fixed units."""

    held_back_percent: int = 0
    held_back_units: int = 0


NO_BUFFER = Buffer()


def location_available(*, on_hand: int, reserved: int, safety_stock: int) -> int:
    """Units at one location that can still be promised; never below zero."""
    return max(0, on_hand - reserved - safety_stock)


def channel_atp(availables: Iterable[int], *, buffer: Buffer = NO_BUFFER) -> int:
    """Σ of the pool's available units, less the buffer.

    The share is held back rounding up, so a marketplace that sees "80 %" of 3 units sees
    2, never 3: a buffer exists to protect against overselling, so it errs that way.
    """
    pool = sum(max(0, a) for a in availables)
    shown = pool * (100 - buffer.held_back_percent) // 100
    return max(0, shown - buffer.held_back_units)
