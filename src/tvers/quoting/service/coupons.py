"""Coupon set-up: codes tied to a promotion that requires one, stored normalised, with limits in total and per customer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import check_version
from tvers.pricing.promotion_types import normalize_code
from tvers.quoting.errors import CouponNotFound, DuplicateCoupon, PromotionWithoutCoupons
from tvers.quoting.events import CouponChanged
from tvers.quoting.models import Coupon
from tvers.quoting.schemas import CouponIn, CouponOut, CouponPatch
from tvers.quoting.service.promotions import promotion_row


def create_coupon(uow: Uow, promotion_id: str, data: CouponIn) -> CouponOut:
    promotion = promotion_row(uow, promotion_id)
    if not promotion.requires_coupon:
        message = f"promotion {promotion.id} applies without a coupon; set requires_coupon first"
        raise PromotionWithoutCoupons(message, fields=[FieldError("promotion_id", message, PromotionWithoutCoupons.code)])
    now = uow.clock.now()
    row = Coupon(id=new_id("cpn"), promotion_id=promotion.id, code=normalize_code(data.code), max_uses=data.max_uses,
                 max_uses_per_customer=data.max_uses_per_customer, uses=0, is_active=data.is_active, created_at=now, updated_at=now)
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        message = f"coupon code {row.code} is taken"
        raise DuplicateCoupon(message, fields=[FieldError("code", message, DuplicateCoupon.code)]) from None
    uow.record(CouponChanged(coupon_id=row.id, promotion_id=row.promotion_id, version=row.version))
    return coupon_out(row)


def update_coupon(uow: Uow, code: str, data: CouponPatch) -> CouponOut:
    """Change limits or switch the code off; a limit below the uses so far just means it is used up."""
    row = coupon_row(uow, code)
    check_version(row.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "max_uses" in changes:
        row.max_uses = data.max_uses
    if "max_uses_per_customer" in changes:
        row.max_uses_per_customer = data.max_uses_per_customer
    if data.is_active is not None:
        row.is_active = data.is_active
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(CouponChanged(coupon_id=row.id, promotion_id=row.promotion_id, version=row.version))
    return coupon_out(row)


def get_coupon(uow: Uow, code: str) -> CouponOut:
    return coupon_out(coupon_row(uow, code))


def list_coupons(uow: Uow, promotion_id: str, *, limit: int, after: str | None) -> Page[CouponOut]:
    promotion_row(uow, promotion_id)
    query = select(Coupon).where(Coupon.promotion_id == promotion_id).order_by(Coupon.id).limit(limit + 1)
    last = decode_cursor(after)
    if last is not None:
        query = query.where(Coupon.id > last)
    rows = list(uow.session.scalars(query))
    page = page_of(rows, limit=limit, last_id=rows[limit - 1].id if len(rows) > limit else None)
    return Page(items=[coupon_out(row) for row in page.items], next_cursor=page.next_cursor)


def coupon_row(uow: Uow, code: str) -> Coupon:
    row = uow.session.execute(select(Coupon).where(Coupon.code == normalize_code(code))).scalar_one_or_none()
    if row is None:
        raise CouponNotFound(f"no coupon {normalize_code(code)!r}")
    return row


def coupon_out(row: Coupon) -> CouponOut:
    return CouponOut(id=row.id, promotion_id=row.promotion_id, code=row.code, max_uses=row.max_uses,
                     max_uses_per_customer=row.max_uses_per_customer, uses=row.uses, is_active=row.is_active, version=row.version,
                     created_at=row.created_at, updated_at=row.updated_at)
