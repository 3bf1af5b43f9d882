"""Quoting use cases; each takes the unit of work and never commits.

Checkout calls `quote`, then `record_coupon_use` in its first transaction, and `release_coupon_use`
when it compensates or an order is cancelled.
"""

from tvers.quoting.service.coupon_use import record_coupon_use, release_coupon_use
from tvers.quoting.service.coupons import create_coupon, get_coupon, list_coupons, update_coupon
from tvers.quoting.service.promotions import create_promotion, get_promotion, list_promotions, update_promotion
from tvers.quoting.service.quotes import quote, quote_cart
from tvers.quoting.service.shipping_rates import (
    create_shipping_rate,
    delete_shipping_rate,
    get_shipping_rate,
    list_shipping_rates,
    update_shipping_rate,
)

__all__ = [
    "create_coupon",
    "create_promotion",
    "create_shipping_rate",
    "delete_shipping_rate",
    "get_coupon",
    "get_promotion",
    "get_shipping_rate",
    "list_coupons",
    "list_promotions",
    "list_shipping_rates",
    "quote",
    "quote_cart",
    "record_coupon_use",
    "release_coupon_use",
    "update_coupon",
    "update_promotion",
    "update_shipping_rate",
]
