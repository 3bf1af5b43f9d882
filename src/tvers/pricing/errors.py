"""Errors pricing publishes: bad carts, bad promotion set-up, coupons that cannot apply, shipping.

    InvalidInput
    ├── EmptyCart                   "empty_cart"
    ├── InvalidQuantity             "invalid_quantity"
    ├── InvalidPrice                "invalid_price"
    ├── MixedVatBasis               "mixed_vat_basis"
    ├── NaiveDatetime               "naive_datetime"
    ├── InvalidPromotion            "invalid_promotion"
    ├── InvalidShippingRate         "invalid_shipping_rate"
    ├── ShippingNotAvailable        "shipping_not_available"
    ├── ShippingTooHeavy            "shipping_too_heavy"
    └── CouponRejected              "coupon_rejected"
        ├── CouponUnknown           "coupon_unknown"
        ├── CouponNotStarted        "coupon_not_started"
        ├── CouponExpired           "coupon_expired"
        ├── CouponUsedUp            "coupon_used_up"
        ├── CouponNotForChannel     "coupon_not_for_channel"
        ├── CouponNotForCustomer    "coupon_not_for_customer"
        ├── CouponNotForCurrency    "coupon_not_for_currency"
        └── CouponRequiresCustomer  "coupon_requires_customer"

A promotion that does not apply is a result (an explanation on the breakdown), never an
error; a coupon the customer typed that cannot apply is an error, because they asked for it.
"""

from __future__ import annotations

from tvers.kernel.errors import InvalidInput

__all__ = [
    "COUPON_ERRORS",
    "CouponExpired",
    "CouponNotForChannel",
    "CouponNotForCurrency",
    "CouponNotForCustomer",
    "CouponNotStarted",
    "CouponRejected",
    "CouponRequiresCustomer",
    "CouponUnknown",
    "CouponUsedUp",
    "EmptyCart",
    "InvalidPrice",
    "InvalidPromotion",
    "InvalidQuantity",
    "InvalidShippingRate",
    "MixedVatBasis",
    "NaiveDatetime",
    "ShippingNotAvailable",
    "ShippingTooHeavy",
]


class EmptyCart(InvalidInput):
    code = "empty_cart"


class InvalidQuantity(InvalidInput):
    code = "invalid_quantity"


class InvalidPrice(InvalidInput):
    code = "invalid_price"


class MixedVatBasis(InvalidInput):
    """Lines from VAT-inclusive and VAT-exclusive books in one cart: thresholds would mean nothing."""

    code = "mixed_vat_basis"


class NaiveDatetime(InvalidInput):
    code = "naive_datetime"


class InvalidPromotion(InvalidInput):
    code = "invalid_promotion"


class InvalidShippingRate(InvalidInput):
    code = "invalid_shipping_rate"


class ShippingNotAvailable(InvalidInput):
    code = "shipping_not_available"


class ShippingTooHeavy(InvalidInput):
    code = "shipping_too_heavy"


class CouponRejected(InvalidInput):
    """Base of every reason a typed coupon code cannot apply; `context["coupon"]` holds the code."""

    code = "coupon_rejected"


class CouponUnknown(CouponRejected):
    code = "coupon_unknown"


class CouponNotStarted(CouponRejected):
    code = "coupon_not_started"


class CouponExpired(CouponRejected):
    code = "coupon_expired"


class CouponUsedUp(CouponRejected):
    code = "coupon_used_up"


class CouponNotForChannel(CouponRejected):
    code = "coupon_not_for_channel"


class CouponNotForCustomer(CouponRejected):
    """The coupon is restricted to loyalty tiers or customer segments this customer is not in."""

    code = "coupon_not_for_customer"


class CouponNotForCurrency(CouponRejected):
    code = "coupon_not_for_currency"


class CouponRequiresCustomer(CouponRejected):
    """A per-customer limit cannot be checked for an anonymous cart."""

    code = "coupon_requires_customer"


# Engine reason code → the error raised when that reason rejects a typed coupon.
COUPON_ERRORS: dict[str, type[CouponRejected]] = {
    "unknown": CouponUnknown,
    "not_started": CouponNotStarted,
    "expired": CouponExpired,
    "used_up": CouponUsedUp,
    "not_for_channel": CouponNotForChannel,
    "needs_tier": CouponNotForCustomer,
    "needs_segment": CouponNotForCustomer,
    "not_for_currency": CouponNotForCurrency,
    "needs_customer": CouponRequiresCustomer,
}
