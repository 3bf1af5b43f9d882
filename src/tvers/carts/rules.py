"""How two carts become one when a shopper signs in or two profiles merge. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class Line:
    variant_id: str
    quantity: int
    channel: str
    seen_unit_minor: int | None
    seen_currency: str | None
    updated_at: datetime


def merge_lines(kept: Sequence[Line], incoming: Sequence[Line]) -> list[Line]:
    """Per variant the larger quantity wins, with the channel that added it; the newer price seen is kept.

    Max rather than sum: the same jacket put in the cart on the phone and again on the laptop is one jacket.
    """
    merged = {line.variant_id: line for line in kept}
    for line in incoming:
        mine = merged.get(line.variant_id)
        if mine is None:
            merged[line.variant_id] = line
            continue
        winner = line if line.quantity > mine.quantity else mine
        newer = line if line.updated_at > mine.updated_at else mine
        merged[line.variant_id] = replace(winner, seen_unit_minor=newer.seen_unit_minor, seen_currency=newer.seen_currency,
                                          updated_at=max(line.updated_at, mine.updated_at))
    return list(merged.values())
