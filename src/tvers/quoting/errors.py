"""Errors quoting publishes. A typed coupon that cannot apply raises the pricing engine's own errors
(`tvers.pricing.errors`: CouponExpired, CouponUsedUp, CouponNotForChannel, …); bad promotion or rate
set-up raises its InvalidPromotion / InvalidShippingRate with the offending fields.

    NotFound
    ├── PromotionNotFound           "promotion_not_found"
    ├── CouponNotFound              "coupon_not_found"
    └── ShippingRateNotFound        "shipping_rate_not_found"
    InvalidInput
    ├── QuoteLineRefused            "invalid_quote_line" (every bad line is in `fields`)
    │   ├── UnknownSku              "unknown_sku"
    │   ├── NotForSale              "not_for_sale"
    │   ├── NotListedOnChannel      "not_listed_on_channel"
    │   ├── NotPriced               "not_priced"
    │   └── DuplicateSku            "duplicate_sku"
    ├── ChannelNotActive            "channel_not_active"
    ├── PromotionWithoutCoupons     "promotion_without_coupons"
    └── CouponRejected (pricing)
        └── CouponsForOnePromotion  "coupons_for_one_promotion"
    Conflict
    ├── DuplicateCoupon             "duplicate_coupon"
    └── DuplicateShippingRate       "duplicate_shipping_rate"
"""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound
from tvers.pricing.errors import CouponRejected

__all__ = [
    "ChannelNotActive",
    "CouponNotFound",
    "CouponsForOnePromotion",
    "DuplicateCoupon",
    "DuplicateShippingRate",
    "DuplicateSku",
    "NotForSale",
    "NotListedOnChannel",
    "NotPriced",
    "PromotionNotFound",
    "PromotionWithoutCoupons",
    "QuoteLineRefused",
    "ShippingRateNotFound",
    "UnknownSku",
]


class PromotionNotFound(NotFound):
    code = "promotion_not_found"


class CouponNotFound(NotFound):
    code = "coupon_not_found"


class ShippingRateNotFound(NotFound):
    code = "shipping_rate_not_found"


class QuoteLineRefused(InvalidInput):
    """Base of what can be wrong with a quote's line; the error raised is the first line's kind."""

    code = "invalid_quote_line"


class UnknownSku(QuoteLineRefused):
    code = "unknown_sku"


class NotForSale(QuoteLineRefused):
    """The variant or its product is archived (or the product is still a draft)."""

    code = "not_for_sale"


class NotListedOnChannel(QuoteLineRefused):
    code = "not_listed_on_channel"


class NotPriced(QuoteLineRefused):
    """The channel's price book has no price for the variant."""

    code = "not_priced"


class DuplicateSku(QuoteLineRefused):
    code = "duplicate_sku"


class ChannelNotActive(InvalidInput):
    code = "channel_not_active"


class PromotionWithoutCoupons(InvalidInput):
    """Coupons belong to promotions that require one; an automatic promotion applies without."""

    code = "promotion_without_coupons"


class CouponsForOnePromotion(CouponRejected):
    """Two typed codes of the same promotion: a promotion applies once per order."""

    code = "coupons_for_one_promotion"


class DuplicateCoupon(Conflict):
    code = "duplicate_coupon"


class DuplicateShippingRate(Conflict):
    code = "duplicate_shipping_rate"
