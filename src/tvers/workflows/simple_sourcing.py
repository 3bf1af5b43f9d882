"""The checkout's stand-in for sourcing (pure): where each line is reserved until the fulfilment issue's sourcing lands.

The rule: the whole order from the highest-priority location that has all of it; else each line from the
highest-priority location that has that line. A line nobody can give goes to the highest-priority location,
whose reservation then fails with `insufficient_stock` naming where else the item is.
"""

from __future__ import annotations

from collections.abc import Sequence

from tvers.inventory.service import Candidate


def choose_locations(lines: Sequence[tuple[str, int]], candidates: Sequence[Candidate]) -> dict[str, Candidate]:
    """Variant id → the candidate to reserve it at; `candidates` are in preference order and not empty."""
    for candidate in candidates:
        if all(candidate.can_give(variant_id, quantity) for variant_id, quantity in lines):
            return {variant_id: candidate for variant_id, _ in lines}
    return {variant_id: next((c for c in candidates if c.can_give(variant_id, quantity)), candidates[0]) for variant_id, quantity in lines}
