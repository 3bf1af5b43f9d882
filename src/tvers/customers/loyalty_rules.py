"""Loyalty arithmetic: points for a purchase, the value of points, the tier a customer reaches. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from tvers.customers.money_schemas import EarnRate, ProgrammeIn, TierBasis, TierBenefits, TierIn

DEFAULT_PROGRAMME = ProgrammeIn(
    name="Tvers Club",
    earn={"NOK": EarnRate(points=1, per_minor=1000), "SEK": EarnRate(points=1, per_minor=1000),
          "DKK": EarnRate(points=1, per_minor=700), "EUR": EarnRate(points=1, per_minor=100)},
    point_value_minor={"NOK": 10, "SEK": 10, "DKK": 7, "EUR": 1},
    tier_basis=TierBasis.POINTS,
    window_days=365,
    tiers=[
        TierIn(code="bronze", name="Bronze"),
        TierIn(code="silver", name="Silver", min_points=1500, min_spend_minor={"NOK": 1_500_000},
               benefits=TierBenefits(percent_off=5, early_access=True)),  # type: ignore[arg-type]
        TierIn(code="gold", name="Gold", min_points=5000, min_spend_minor={"NOK": 5_000_000},
               benefits=TierBenefits(percent_off=10, free_shipping=True, early_access=True)),  # type: ignore[arg-type]
    ],
)


def points_for(programme: ProgrammeIn, *, currency: str, amount_minor: int) -> int:
    """Whole points for a purchase; a currency the programme does not list earns none."""
    rate = programme.earn.get(currency)
    if rate is None or amount_minor <= 0:
        return 0
    return amount_minor // rate.per_minor * rate.points


def value_of(programme: ProgrammeIn, *, currency: str, points: int) -> int | None:
    """Minor units `points` are worth in `currency`, or None if they cannot be spent in it."""
    per_point = programme.point_value_minor.get(currency)
    return None if per_point is None else per_point * points


def tier_for(programme: ProgrammeIn, *, points: int, spend_minor: Mapping[str, int]) -> tuple[TierIn, TierIn | None]:
    """The highest tier reached in the window, and the next one up (None at the top)."""
    ordered = sorted(programme.tiers, key=lambda t: t.min_points if programme.tier_basis is TierBasis.POINTS else _spend_rank(t))
    reached = ordered[0]
    for tier in ordered[1:]:
        if _qualifies(programme.tier_basis, tier, points=points, spend_minor=spend_minor):
            reached = tier
    index = ordered.index(reached)
    return reached, ordered[index + 1] if index + 1 < len(ordered) else None


def _spend_rank(tier: TierIn) -> int:
    return max(tier.min_spend_minor.values(), default=0)


def _qualifies(basis: TierBasis, tier: TierIn, *, points: int, spend_minor: Mapping[str, int]) -> bool:
    if basis is TierBasis.POINTS:
        return points >= tier.min_points
    # Without exchange rates, spend qualifies per currency: enough in any one listed currency.
    return any(spend_minor.get(currency, 0) >= floor for currency, floor in tier.min_spend_minor.items())
