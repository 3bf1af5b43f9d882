"""Promotion routes: promotions and their coupon codes (merchandisers write, every channel reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime

from tvers.channels.access import Permission, Principal
from tvers.quoting import service as quoting
from tvers.quoting.schemas import CouponIn, CouponOut, CouponPatch, PromotionIn, PromotionOut, PromotionPatch
from tvers.web.api.common import After, Limit, PageOut, api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, requires

router = api_router("promotions")

Read = Annotated[Principal, Depends(requires(Permission.PRICING_READ))]
Write = Annotated[Principal, Depends(requires(Permission.PROMOTIONS_WRITE))]
ActiveAt = Annotated[AwareDatetime | None, Query(description="Only promotions active at this instant (with a time zone).")]


@router.post("/promotions", status_code=201, response_model=PromotionOut)
def create_promotion(body: PromotionIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> PromotionOut:
    """Percent or amount off products, categories or the cart; buy X get Y; free shipping; with thresholds, audiences, windows."""
    with uow:
        promotion = quoting.create_promotion(uow, body)
        uow.commit()
    return promotion


@router.get("/promotions", response_model=PageOut[PromotionOut])
def list_promotions(uow: ReadUowDep, _: Read, limit: Limit = 50, after: After = None, active_at: ActiveAt = None) -> PageOut[PromotionOut]:
    with uow:
        page = quoting.list_promotions(uow, active_at=active_at, limit=limit, after=after)
    return PageOut.of(page)


@router.get("/promotions/{promotion_id}", response_model=PromotionOut)
def get_promotion(promotion_id: str, uow: ReadUowDep, _: Read) -> PromotionOut:
    with uow:
        return quoting.get_promotion(uow, promotion_id)


@router.patch("/promotions/{promotion_id}", response_model=PromotionOut)
def update_promotion(promotion_id: str, body: PromotionPatch, uow: UowDep, _: Write) -> PromotionOut:
    """Given fields replace the stored ones; `is_active: false` ends a promotion at once."""
    with uow:
        promotion = quoting.update_promotion(uow, promotion_id, body)
        uow.commit()
    return promotion


@router.post("/promotions/{promotion_id}/coupons", status_code=201, response_model=CouponOut)
def create_coupon(promotion_id: str, body: CouponIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> CouponOut:
    """A code for a promotion that requires one; `max_uses: 1` makes it single-use."""
    with uow:
        coupon = quoting.create_coupon(uow, promotion_id, body)
        uow.commit()
    return coupon


@router.get("/promotions/{promotion_id}/coupons", response_model=PageOut[CouponOut])
def list_coupons(promotion_id: str, uow: ReadUowDep, _: Read, limit: Limit = 50, after: After = None) -> PageOut[CouponOut]:
    with uow:
        page = quoting.list_coupons(uow, promotion_id, limit=limit, after=after)
    return PageOut.of(page)


@router.get("/coupons/{code}", response_model=CouponOut)
def get_coupon(code: str, uow: ReadUowDep, _: Read) -> CouponOut:
    """By code, in any case: `welcome10` finds `WELCOME10`."""
    with uow:
        return quoting.get_coupon(uow, code)


@router.patch("/coupons/{code}", response_model=CouponOut)
def update_coupon(code: str, body: CouponPatch, uow: UowDep, _: Write) -> CouponOut:
    with uow:
        coupon = quoting.update_coupon(uow, code, body)
        uow.commit()
    return coupon
