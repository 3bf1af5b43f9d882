"""The demo's stored offers: shipping rates for the countries it ships to, a season of promotions and a welcome coupon.

Made through `tvers.quoting.service` at go-live; the calendar (days after go-live) is shared with the order plan, so
shoppers answer the campaigns the way shoppers do: more jackets in jacket week, bigger baskets while spending pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from tvers.bootstrap import Tvers
from tvers.channels.schemas import ChannelType
from tvers.quoting import service as quoting
from tvers.quoting.schemas import (
    AmountOffIn,
    BenefitKind,
    BuyXGetYIn,
    CouponIn,
    PercentOffIn,
    PromotionIn,
    ShippingRateIn,
    TargetIn,
    WeightBandIn,
)

WELCOME_COUPON = "WELCOME10"
JACKETS, SOCKS = "apparel/jackets", "accessories/socks"
# Our own channels; the marketplace prices its listings itself.
OWN_CHANNELS = [ChannelType.WEB, ChannelType.APP, ChannelType.POS, ChannelType.SOCIAL, ChannelType.CALL_CENTER]


@dataclass(frozen=True)
class Campaign:
    """A promotion's window in days after go-live: [first_day, first_day + days)."""

    first_day: int
    days: int

    def covers(self, day: int) -> bool:
        return self.first_day <= day < self.first_day + self.days


JACKET_WEEK = Campaign(first_day=19, days=7)
SPEND_AND_SAVE = Campaign(first_day=40, days=14)
CLUB_WEEK = Campaign(first_day=68, days=7)

# (country, currency, price up to 5 kg, up to 20 kg, up to 35 kg, free from): parcel prices incl. VAT.
SHIPPING = (
    ("NO", "NOK", "79", "149", "249", "1000"),
    ("SE", "SEK", "69", "139", "229", "1000"),
    ("DK", "DKK", "49", "99", "169", "700"),
    ("FI", "EUR", "7.90", "14.90", "24.90", "100"),
)
# Spend this much, get that much off, per currency.
SPEND_THRESHOLDS = (("NOK", "1500", "150"), ("SEK", "1500", "150"), ("DKK", "1000", "100"), ("EUR", "150", "15"))


@dataclass(frozen=True)
class DemoOffers:
    shipping_rates: int
    promotions: int
    coupons: tuple[str, ...]


def load_offers(tvers: Tvers, *, go_live: datetime) -> DemoOffers:
    """Shipping rates, promotions and the welcome coupon, set up on go-live day; windows count from its midnight."""
    midnight = datetime.combine(go_live.date(), time(), tzinfo=go_live.tzinfo)
    promotions = _promotions(midnight)
    with tvers.uow() as uow:
        for country, currency, light, medium, heavy, free_from in SHIPPING:
            quoting.create_shipping_rate(uow, ShippingRateIn(
                country=country, currency=currency, free_from=Decimal(free_from),
                weight_bands=[WeightBandIn(max_grams=grams, price=Decimal(price))
                              for grams, price in ((5_000, light), (20_000, medium), (35_000, heavy))],
            ))
        for promotion in promotions:
            quoting.create_promotion(uow, promotion)
        welcome = quoting.create_promotion(uow, PromotionIn(
            name="Welcome: 10 % off your first order", benefit=PercentOffIn(kind=BenefitKind.PERCENT_OFF, percent=Decimal(10)),
            channel_types=[ChannelType.WEB, ChannelType.APP], starts_at=midnight, requires_coupon=True,
        ))
        quoting.create_coupon(uow, welcome.id, CouponIn(code=WELCOME_COUPON, max_uses_per_customer=1))
        uow.commit()
    return DemoOffers(shipping_rates=len(SHIPPING), promotions=len(promotions) + 1, coupons=(WELCOME_COUPON,))


def _promotions(midnight: datetime) -> list[PromotionIn]:
    def window(campaign: Campaign) -> dict[str, datetime]:
        starts = midnight + timedelta(days=campaign.first_day)
        return {"starts_at": starts, "ends_at": starts + timedelta(days=campaign.days)}

    return [
        PromotionIn(name="Jacket week: 20 % off jackets", benefit=PercentOffIn(kind=BenefitKind.PERCENT_OFF, percent=Decimal(20)),
                    target=TargetIn(categories=[JACKETS]), channel_types=OWN_CHANNELS, **window(JACKET_WEEK)),
        *(PromotionIn(name=f"Spend {spend} {currency}, get {off} {currency} off", currency=currency, min_subtotal=Decimal(spend),
                      benefit=AmountOffIn(kind=BenefitKind.AMOUNT_OFF, amount=Decimal(off)), channel_types=OWN_CHANNELS,
                      **window(SPEND_AND_SAVE))
          for currency, spend, off in SPEND_THRESHOLDS),
        PromotionIn(name="Socks: buy 3, pay for 2", benefit=BuyXGetYIn(kind=BenefitKind.BUY_X_GET_Y, buy=2, get=1),
                    target=TargetIn(categories=[SOCKS]), channel_types=OWN_CHANNELS, starts_at=midnight),
        PromotionIn(name="Club week: Silver and Gold members 10 % off", tiers=["silver", "gold"],
                    benefit=PercentOffIn(kind=BenefitKind.PERCENT_OFF, percent=Decimal(10)), channel_types=OWN_CHANNELS,
                    **window(CLUB_WEEK)),
    ]
