"""Which matches may merge profiles, and which profile survives (ADR 0005). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tvers.customers.identity_rules import IdentityType

DEFAULT_STRONG = frozenset({IdentityType.EMAIL, IdentityType.LOYALTY_CARD, IdentityType.PAYMENT_CARD_FINGERPRINT,
                            IdentityType.MARKETPLACE_BUYER_ID})


@dataclass(frozen=True)
class MergePolicy:
    """Identity types strong enough to merge on; an email counts only when verified on both sides."""

    strong_types: frozenset[IdentityType] = field(default=DEFAULT_STRONG)

    @classmethod
    def parse(cls, spec: str) -> MergePolicy:
        """From a comma list such as "email,loyalty_card" (TVERS_CUSTOMER_MERGE_ON)."""
        return cls(strong_types=frozenset(IdentityType(part.strip()) for part in spec.split(",") if part.strip()))

    def is_strong(self, kind: IdentityType, *, stored_verified: bool, arriving_verified: bool) -> bool:
        if kind not in self.strong_types:
            return False
        # Anyone can type an email address; only a proven one identifies a person.
        return kind is not IdentityType.EMAIL or (stored_verified and arriving_verified)


DEFAULT_POLICY = MergePolicy()


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    created_at: datetime
    has_loyalty_card: bool


def choose_survivor(candidates: Sequence[Candidate]) -> str:
    """The oldest profile with a loyalty card, else the oldest; ties by id so the choice is stable."""
    with_card = [c for c in candidates if c.has_loyalty_card]
    pool = with_card or list(candidates)
    return min(pool, key=lambda c: (c.created_at, c.customer_id)).customer_id
