"""Promotion rows ↔ the pricing engine's dataclasses and the published shapes; set-up checked with field paths."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tvers.channels.schemas import ChannelType
from tvers.kernel.clock import ensure_utc
from tvers.kernel.errors import FieldError, TversError
from tvers.kernel.money import Money, minor_digits
from tvers.pricing import promotion_types as engine
from tvers.pricing.errors import InvalidPromotion
from tvers.quoting.models import Coupon, Promotion
from tvers.quoting.schemas import (
    AmountOffIn,
    BenefitIn,
    BenefitKind,
    BuyXGetYIn,
    FreeShippingIn,
    PercentOffIn,
    PromotionIn,
    PromotionOut,
    TargetIn,
)

MAX_STORED_MINOR = 2**63 - 1  # amounts are BIGINT minor units on both databases


def engine_promotion(row: Promotion, coupon: Coupon | None = None) -> engine.Promotion:
    """The engine's view of a stored promotion; with `coupon`, the promotion as that typed code unlocks it."""
    currency = row.currency
    return engine.Promotion(
        id=row.id,
        name=row.name,
        benefit=_benefit(row),
        target=engine.Target(frozenset(row.product_ids), frozenset(row.skus), frozenset(row.categories)),
        min_subtotal=Money(row.min_subtotal_minor, currency) if row.min_subtotal_minor is not None and currency else None,
        coupon=engine.Coupon(coupon.code, coupon.max_uses, coupon.max_uses_per_customer) if coupon is not None else None,
        tiers=frozenset(row.tiers),
        segments=frozenset(row.segments),
        channels=frozenset(row.channels),
        channel_types=frozenset(row.channel_types),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        priority=row.priority,
        stacking=engine.Stacking(row.stacking),
    )


def _benefit(row: Promotion) -> engine.Benefit:
    kind = BenefitKind(row.benefit_kind)
    if kind is BenefitKind.PERCENT_OFF:
        return engine.PercentOff(_percent(row.percent_hundredths))
    if kind is BenefitKind.AMOUNT_OFF:
        assert row.amount_minor is not None and row.currency is not None
        return engine.AmountOff(Money(row.amount_minor, row.currency), per_unit=row.per_unit)
    if kind is BenefitKind.BUY_X_GET_Y:
        assert row.buy_quantity is not None and row.get_quantity is not None
        return engine.BuyXGetY(row.buy_quantity, row.get_quantity, _percent(row.percent_hundredths))
    return engine.FreeShipping()


def _percent(hundredths: int | None) -> Decimal:
    assert hundredths is not None
    return Decimal(hundredths).scaleb(-2)


def promotion_values(data: PromotionIn) -> dict[str, Any]:
    """Column values for `data`, after the checks the engine would make, each reported on its field."""
    errors: list[FieldError] = []
    amount = _minor(data.benefit.amount, data.currency, "benefit.amount", errors) if isinstance(data.benefit, AmountOffIn) else None
    threshold = _minor(data.min_subtotal, data.currency, "min_subtotal", errors) if data.min_subtotal is not None else None
    _check_shape(data, amount=amount, errors=errors)
    if errors:
        raise InvalidPromotion(errors[0].message, fields=errors)
    values = {**_benefit_values(data.benefit), "amount_minor": amount, "min_subtotal_minor": threshold}
    values.update(
        name=data.name, description=data.description, currency=data.currency, product_ids=sorted(set(data.target.product_ids)),
        skus=sorted(set(data.target.skus)), categories=sorted(set(data.target.categories)), tiers=sorted(set(data.tiers)),
        segments=sorted(set(data.segments)), channels=sorted(set(data.channels)),
        channel_types=sorted({t.value for t in data.channel_types}), starts_at=_utc(data.starts_at), ends_at=_utc(data.ends_at),
        priority=data.priority, stacking=data.stacking.value, requires_coupon=data.requires_coupon, is_active=data.is_active,
    )
    try:  # the engine has the last word on what a promotion may be
        engine_promotion(Promotion(id="check", **values))
    except InvalidPromotion as error:
        raise InvalidPromotion(error.message, fields=[FieldError("benefit", error.message, error.code)]) from None
    return values


def _utc(instant: datetime | None) -> datetime | None:
    return ensure_utc(instant) if instant is not None else None


def _minor(value: Decimal | None, currency: str | None, field: str, errors: list[FieldError]) -> int | None:
    if value is None:
        return None
    if currency is None:
        errors.append(FieldError("currency", "a currency is needed for amounts and thresholds", "currency_required"))
        return None
    try:
        minor = Money.of(value, currency).minor
    except TversError as error:
        errors.append(FieldError(field if error.code != "unknown_currency" else "currency", error.message, error.code))
        return None
    if minor > MAX_STORED_MINOR:
        errors.append(FieldError(field, "Amount is too large", "invalid_amount"))
    return minor


def _check_shape(data: PromotionIn, *, amount: int | None, errors: list[FieldError]) -> None:
    if amount is not None and amount <= 0:
        errors.append(FieldError("benefit.amount", "the amount off must be positive", "invalid_amount"))
    if data.min_subtotal is not None and data.min_subtotal < 0:
        errors.append(FieldError("min_subtotal", "a spend threshold must not be negative", "invalid_amount"))
    if data.starts_at is not None and data.ends_at is not None and data.starts_at >= data.ends_at:
        errors.append(FieldError("ends_at", "the promotion must start before it ends", "invalid_window"))
    is_whole_cart = not (data.target.product_ids or data.target.skus or data.target.categories)
    if isinstance(data.benefit, FreeShippingIn) and not is_whole_cart:
        errors.append(FieldError("target", "free shipping applies to the whole order, not to some lines", "invalid_target"))
    if data.currency is not None:
        try:
            minor_digits(data.currency)
        except TversError as error:
            errors.append(FieldError("currency", error.message, error.code))


def _benefit_values(benefit: BenefitIn) -> dict[str, Any]:
    values: dict[str, Any] = {"benefit_kind": benefit.kind.value, "percent_hundredths": None, "per_unit": False,
                              "buy_quantity": None, "get_quantity": None}
    if isinstance(benefit, PercentOffIn | BuyXGetYIn):
        values["percent_hundredths"] = int(benefit.percent.scaleb(2))
    if isinstance(benefit, AmountOffIn):
        values["per_unit"] = benefit.per_unit
    if isinstance(benefit, BuyXGetYIn):
        values["buy_quantity"], values["get_quantity"] = benefit.buy, benefit.get
    return values


def promotion_in(row: Promotion) -> PromotionIn:
    """The stored promotion in the shape it was given (what a PATCH is merged into)."""
    return PromotionIn(
        name=row.name, description=row.description, benefit=_benefit_in(row),
        target=TargetIn(product_ids=list(row.product_ids), skus=list(row.skus), categories=list(row.categories)),
        currency=row.currency, min_subtotal=_major(row.min_subtotal_minor, row.currency), tiers=list(row.tiers),
        segments=list(row.segments), channels=list(row.channels), channel_types=[ChannelType(t) for t in row.channel_types],
        starts_at=row.starts_at, ends_at=row.ends_at, priority=row.priority, stacking=engine.Stacking(row.stacking),
        requires_coupon=row.requires_coupon, is_active=row.is_active,
    )


def promotion_out(row: Promotion) -> PromotionOut:
    return PromotionOut(**promotion_in(row).model_dump(), id=row.id, version=row.version, created_at=row.created_at,
                        updated_at=row.updated_at)


def _benefit_in(row: Promotion) -> BenefitIn:
    kind = BenefitKind(row.benefit_kind)
    if kind is BenefitKind.PERCENT_OFF:
        return PercentOffIn(kind=BenefitKind.PERCENT_OFF, percent=_percent(row.percent_hundredths))
    if kind is BenefitKind.AMOUNT_OFF:
        amount = _major(row.amount_minor, row.currency)
        assert amount is not None
        return AmountOffIn(kind=BenefitKind.AMOUNT_OFF, amount=amount, per_unit=row.per_unit)
    if kind is BenefitKind.BUY_X_GET_Y:
        assert row.buy_quantity is not None and row.get_quantity is not None
        return BuyXGetYIn(kind=BenefitKind.BUY_X_GET_Y, buy=row.buy_quantity, get=row.get_quantity,
                          percent=_percent(row.percent_hundredths))
    return FreeShippingIn(kind=BenefitKind.FREE_SHIPPING)


def _major(minor: int | None, currency: str | None) -> Decimal | None:
    return Money(minor, currency).amount if minor is not None and currency is not None else None
