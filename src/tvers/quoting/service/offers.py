"""The promotions a quote considers, as the engine's dataclasses, with the typed coupons' usage: one statement.

Automatic promotions come when active and in their window; a promotion that requires a coupon comes
only with a typed code of its own, whatever its window, so the engine can say why the code fails
(expired, not started, another channel) instead of "unknown".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, literal, or_, select

from tvers.db.uow import Uow
from tvers.pricing import promotion_types as engine
from tvers.pricing.promotion_types import normalize_code
from tvers.quoting.errors import CouponsForOnePromotion
from tvers.quoting.models import Coupon, CouponRedemption, Promotion
from tvers.quoting.quote_schemas import CouponUse
from tvers.quoting.service.promotion_mapping import engine_promotion
from tvers.quoting.service.promotions import in_window


@dataclass(frozen=True, slots=True)
class Offers:
    promotions: tuple[engine.Promotion, ...]
    usage: tuple[engine.CouponUsage, ...]
    coupons: dict[str, CouponUse]  # normalised code → what recording its use needs


def offers_at(uow: Uow, *, at: datetime, coupon_codes: Sequence[str], customer_id: str | None) -> Offers:
    typed = sorted({normalize_code(code) for code in coupon_codes} - {""})
    promotions: list[engine.Promotion] = []
    usage: list[engine.CouponUsage] = []
    coupons: dict[str, CouponUse] = {}
    if not typed:  # no code typed (most carts): the automatic promotions in force, as plain rows
        automatic = uow.session.connection().execute(_AUTOMATIC, {"at": at})
        return Offers(tuple(engine_promotion(row) for row in automatic), (), {})  # type: ignore[arg-type]  # columns by name
    for promotion, coupon, used_by_customer in uow.session.execute(_query(at=at, typed=typed, customer_id=customer_id)):
        if coupon is None or not promotion.requires_coupon:
            promotions.append(engine_promotion(promotion))
            continue
        _refuse_second_code(coupons, promotion.id, coupon.code)
        promotions.append(engine_promotion(promotion, coupon))
        usage.append(engine.CouponUsage(coupon.code, used_total=coupon.uses, used_by_customer=int(used_by_customer or 0)))
        coupons[coupon.code] = CouponUse(coupon.id, coupon.code, promotion.id, coupon.max_uses_per_customer)
    return Offers(tuple(_unique(promotions)), tuple(usage), coupons)


_p = Promotion.__table__.c
_AT = bindparam("at", type_=Promotion.__table__.c.starts_at.type)
# Built once: what `_query` selects when no code was typed (then every row is an automatic promotion, each once).
_AUTOMATIC = (
    select(*Promotion.__table__.columns)
    .where(_p.is_active.is_(True), _p.requires_coupon.is_(False), or_(_p.starts_at.is_(None), _p.starts_at <= _AT),
           or_(_p.ends_at.is_(None), _p.ends_at > _AT))
    .order_by(_p.id)
)


def _query(*, at: datetime, typed: list[str], customer_id: str | None) -> Any:
    automatic = and_(Promotion.requires_coupon.is_(False), *in_window(at))
    if not typed:
        return select(Promotion, literal(None), literal(0)).where(Promotion.is_active.is_(True), automatic).order_by(Promotion.id)
    used: ColumnElement[Any] = literal(0)
    if customer_id is not None:
        used = (select(func.count()).select_from(CouponRedemption)
                .where(CouponRedemption.coupon_id == Coupon.id, CouponRedemption.customer_id == customer_id,
                       CouponRedemption.released_at.is_(None))
                .correlate(Coupon).scalar_subquery())
    unlocked = and_(Coupon.promotion_id == Promotion.id, Coupon.code.in_(typed), Coupon.is_active.is_(True))
    return (select(Promotion, Coupon, used).outerjoin(Coupon, unlocked)
            .where(Promotion.is_active.is_(True), or_(automatic, Coupon.id.is_not(None))).order_by(Promotion.id, Coupon.code))


def _refuse_second_code(coupons: dict[str, CouponUse], promotion_id: str, code: str) -> None:
    first = next((use.code for use in coupons.values() if use.promotion_id == promotion_id), None)
    if first is not None:
        raise CouponsForOnePromotion(f"coupons {first} and {code} are for the same promotion; use one", coupon=code,
                                     reason="same_promotion")


def _unique(promotions: list[engine.Promotion]) -> list[engine.Promotion]:
    """An automatic promotion met twice (a stale code of it was typed) counts once."""
    return list({promotion.id: promotion for promotion in promotions}.values())
