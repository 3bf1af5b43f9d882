"""Coupon use by orders: taken in the checkout's transaction by conditional UPDATE, given back on failure or cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, or_, select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.db.upsert import insert_if_absent
from tvers.kernel.ids import new_id
from tvers.pricing.errors import CouponRequiresCustomer, CouponUsedUp
from tvers.quoting.events import CouponUsed, CouponUseReleased
from tvers.quoting.models import Coupon, CouponRedemption
from tvers.quoting.quote_schemas import CouponUse, Quote

REDEMPTIONS = cast(Table, CouponRedemption.__table__)


def record_coupon_use(uow: Uow, *, quote: Quote, order_id: str, customer_id: str | None) -> None:
    """Take one use of each coupon the quote relies on for `order_id`; CouponUsedUp if another order took the last one.

    Per coupon, in a fixed order so two orders never wait on each other crosswise: the redemption row
    (once per order and coupon, so a retry takes nothing more), then one conditional UPDATE against the
    total limit, whose row lock also makes the per-customer count after it exact. On an error the
    caller's transaction rolls back and nothing was taken.
    """
    now = uow.clock.now()
    for use in sorted(quote.coupon_uses, key=lambda u: u.coupon_id):
        if not _add_redemption(uow, use, order_id=order_id, customer_id=customer_id, at=now):
            continue
        _take_use(uow, use)
        if use.max_uses_per_customer is not None:
            _check_customer_limit(uow, use, customer_id=customer_id)
        uow.record(CouponUsed(coupon_id=use.coupon_id, code=use.code, order_id=order_id, customer_id=customer_id))


def release_coupon_use(uow: Uow, order_id: str) -> int:
    """Give back the coupon uses of `order_id` (payment failed, order cancelled); a second call gives back none."""
    now = uow.clock.now()
    held = uow.session.execute(
        select(CouponRedemption.id, CouponRedemption.coupon_id)
        .where(CouponRedemption.order_id == order_id, CouponRedemption.released_at.is_(None))
        .order_by(CouponRedemption.coupon_id)
    ).all()
    released = 0
    for redemption_id, coupon_id in held:
        if not _mark_released(uow, redemption_id, at=now):
            continue  # a concurrent release got there first
        uow.session.execute(update(Coupon).where(Coupon.id == coupon_id, Coupon.uses > 0).values(uses=Coupon.uses - 1)
                            .execution_options(synchronize_session=False))
        uow.record(CouponUseReleased(coupon_id=coupon_id, order_id=order_id))
        released += 1
    return released


def _add_redemption(uow: Uow, use: CouponUse, *, order_id: str, customer_id: str | None, at: datetime) -> bool:
    row = {"id": new_id("cpr"), "coupon_id": use.coupon_id, "order_id": order_id, "customer_id": customer_id, "redeemed_at": at,
           "released_at": None}
    return insert_if_absent(uow.session, REDEMPTIONS, row, keys=("coupon_id", "order_id"))


def _take_use(uow: Uow, use: CouponUse) -> None:
    taken = rows_changed(uow.session.execute(
        update(Coupon).where(Coupon.id == use.coupon_id, or_(Coupon.max_uses.is_(None), Coupon.uses < Coupon.max_uses))
        .values(uses=Coupon.uses + 1).execution_options(synchronize_session=False)
    ))
    if taken != 1:
        raise CouponUsedUp(f"coupon {use.code} has been used up by other orders", coupon=use.code, reason="used_up")


def _check_customer_limit(uow: Uow, use: CouponUse, *, customer_id: str | None) -> None:
    limit = use.max_uses_per_customer
    assert limit is not None
    if customer_id is None:
        raise CouponRequiresCustomer(f"coupon {use.code} is limited per customer; the order needs one", coupon=use.code,
                                     reason="needs_customer")
    used = uow.session.scalar(select(func.count()).select_from(CouponRedemption).where(
        CouponRedemption.coupon_id == use.coupon_id, CouponRedemption.customer_id == customer_id,
        CouponRedemption.released_at.is_(None)))
    if (used or 0) > limit:
        raise CouponUsedUp(f"coupon {use.code} is limited to {limit} use(s) per customer", coupon=use.code, reason="used_up")


def _mark_released(uow: Uow, redemption_id: str, *, at: datetime) -> bool:
    changed = uow.session.execute(update(CouponRedemption).where(CouponRedemption.id == redemption_id,
                                                                 CouponRedemption.released_at.is_(None))
                                  .values(released_at=at).execution_options(synchronize_session=False))
    return rows_changed(changed) == 1
