"""Whether a promotion is open to this cart at all (window, channel, customer, currency, coupon)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from tvers.pricing.cart import ChannelContext, CustomerContext
from tvers.pricing.errors import COUPON_ERRORS, CouponRejected
from tvers.pricing.promotion_types import CouponRejection, CouponUsage, Promotion, normalize_code

__all__ = ["Blocked", "Context", "blocked_by", "coupon_blocked_by", "rejection_error", "select_promotions"]


@dataclass(frozen=True, slots=True)
class Context:
    """Everything about the cart that decides whether a promotion is open to it."""

    channel: ChannelContext
    customer: CustomerContext
    at: datetime
    currency: str


@dataclass(frozen=True, slots=True)
class Blocked:
    """A reason a promotion cannot apply: a stable `reason` code and a message for people."""

    reason: str
    message: str


def _when(instant: datetime) -> str:
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%d") if utc.time() == time() else utc.strftime("%Y-%m-%d %H:%M UTC")


def _last_day(ends_at: datetime) -> str:
    """A window ending at midnight UTC was last valid the day before: "expired on 2026-08-31"."""
    utc = ends_at.astimezone(UTC)
    return (utc - timedelta(days=1)).strftime("%Y-%m-%d") if utc.time() == time() else utc.strftime("%Y-%m-%d %H:%M UTC")


def _label(promotion: Promotion) -> str:
    return f"coupon {promotion.coupon.code}" if promotion.coupon else f"promotion {promotion.name}"


def _window(promotion: Promotion, at: datetime) -> Blocked | None:
    if promotion.starts_at is not None and at < promotion.starts_at:
        return Blocked("not_started", f"{_label(promotion)} starts on {_when(promotion.starts_at)}")
    if promotion.ends_at is not None and at >= promotion.ends_at:
        return Blocked("expired", f"{_label(promotion)} expired on {_last_day(promotion.ends_at)}")
    return None


def _audience(promotion: Promotion, context: Context) -> Blocked | None:
    channel, customer = context.channel, context.customer
    if promotion.channels and channel.code not in promotion.channels:
        return Blocked("not_for_channel", f"not offered on channel {channel.code}")
    if promotion.channel_types and channel.type not in promotion.channel_types:
        return Blocked("not_for_channel", f"not offered on {channel.type} channels")
    if promotion.tiers and customer.tier not in promotion.tiers:
        return Blocked("needs_tier", f"needs tier {' or '.join(sorted(promotion.tiers))}")
    if promotion.segments and not promotion.segments & customer.segments:
        return Blocked("needs_segment", f"needs customer segment {' or '.join(sorted(promotion.segments))}")
    if promotion.currencies and promotion.currencies != {context.currency}:
        return Blocked("not_for_currency", f"set up in {', '.join(sorted(promotion.currencies))}, cart is in {context.currency}")
    return None


def blocked_by(promotion: Promotion, *, context: Context) -> Blocked | None:
    """The first condition that shuts this promotion out of the cart, or None when it is open."""
    return _window(promotion, context.at) or _audience(promotion, context)


def coupon_blocked_by(promotion: Promotion, *, context: Context, usage: CouponUsage | None) -> Blocked | None:
    """As `blocked_by`, plus the coupon's limits in total and per customer."""
    blocked = blocked_by(promotion, context=context)
    if blocked is not None or promotion.coupon is None:
        return blocked
    coupon, used = promotion.coupon, usage or CouponUsage(promotion.coupon.code)
    if coupon.max_uses is not None and used.used_total >= coupon.max_uses:
        return Blocked("used_up", f"coupon {coupon.code} has been used the {coupon.max_uses} times it allows")
    if coupon.max_uses_per_customer is not None:
        if context.customer.customer_id is None:
            return Blocked("needs_customer", f"coupon {coupon.code} is limited per customer; sign in to use it")
        if used.used_by_customer >= coupon.max_uses_per_customer:
            return Blocked("used_up", f"coupon {coupon.code} already used {used.used_by_customer} times by this customer")
    return None


def rejection_error(rejection: CouponRejection) -> CouponRejected:
    """The error the checkout turns into a 4xx for a coupon the customer typed."""
    kind = COUPON_ERRORS.get(rejection.reason, CouponRejected)
    return kind(rejection.message, coupon=rejection.code, reason=rejection.reason)


def select_promotions(
    promotions: Sequence[Promotion],
    *,
    context: Context,
    coupon_codes: Sequence[str],
    coupon_usage: Sequence[CouponUsage],
) -> tuple[list[Promotion], list[tuple[Promotion, Blocked]], list[CouponRejection]]:
    """Split promotions into open and blocked, and list the typed codes that cannot apply."""
    typed = list(dict.fromkeys(normalize_code(code) for code in coupon_codes if normalize_code(code)))
    usage = {row.code: row for row in coupon_usage}
    open_, blocked = [], []
    for promotion in promotions:
        if promotion.coupon is not None and promotion.coupon.code not in typed:
            blocked.append((promotion, Blocked("needs_coupon", "needs a coupon code")))
            continue
        found = usage.get(promotion.coupon.code) if promotion.coupon else None
        reason = coupon_blocked_by(promotion, context=context, usage=found)
        if reason is None:
            open_.append(promotion)
        else:
            blocked.append((promotion, reason))
    return open_, blocked, _rejections(typed, open_=open_, blocked=blocked)


def _rejections(typed: list[str], *, open_: list[Promotion], blocked: list[tuple[Promotion, Blocked]]) -> list[CouponRejection]:
    open_codes = {promotion.coupon.code for promotion in open_ if promotion.coupon}
    rejections = []
    for code in typed:
        if code in open_codes:
            continue
        reasons = [reason for promotion, reason in blocked if promotion.coupon and promotion.coupon.code == code]
        if reasons:
            rejections.append(CouponRejection(code, reasons[0].reason, reasons[0].message))
        else:
            rejections.append(CouponRejection(code, "unknown", f"coupon {code} is not a valid code"))
    return rejections
