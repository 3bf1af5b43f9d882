"""Published shapes of loyalty, gift cards and store credit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from tvers.catalog.schemas import MoneyOut
from tvers.customers.schemas import ChannelCode, Reason
from tvers.kernel.shapes import CurrencyCode, Strict

Currency = CurrencyCode
Reference = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class TierBasis(StrEnum):
    POINTS = "points"
    SPEND = "spend"


class EarnRate(Strict):
    points: int = Field(ge=1, le=1000, description="Points earned ...")
    per_minor: int = Field(ge=1, description="... per this many minor units spent (NOK 10 = 1000).")


class TierBenefits(Strict):
    percent_off: Decimal = Field(default=Decimal(0), ge=0, le=100)
    free_shipping: bool = False
    early_access: bool = False


class TierIn(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$")]
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    min_points: int = Field(default=0, ge=0, description="Points earned in the window (basis points).")
    min_spend_minor: dict[Currency, int] = Field(default_factory=dict, description="Spend in the window per currency (basis spend).")
    benefits: TierBenefits = Field(default_factory=TierBenefits)


class ProgrammeIn(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    earn: dict[Currency, EarnRate]
    point_value_minor: dict[Currency, int] = Field(description="What one point is worth when burnt, in minor units.")
    tier_basis: TierBasis = TierBasis.POINTS
    window_days: int = Field(default=365, ge=1, le=3650)
    tiers: list[TierIn] = Field(min_length=1, max_length=10)


class ProgrammeOut(ProgrammeIn):
    version: int


class TierOut(BaseModel):
    code: str
    name: str
    benefits: TierBenefits


class CustomerTierOut(BaseModel):
    """The profile that answers for an id (a merged id answers with its survivor) and its tier today."""

    customer_id: str
    tier: TierOut


class LoyaltyOut(BaseModel):
    customer_id: str
    balance: int
    tier: TierOut
    qualifying_points: int
    qualifying_spend_minor: dict[str, int]
    next_tier: str | None


class PointsKind(StrEnum):
    EARN = "earn"
    BURN = "burn"
    RESTORE = "restore"
    EXPIRE = "expire"
    ADJUST = "adjust"
    REVERSE = "reverse"
    MERGE_IN = "merge_in"
    MERGE_OUT = "merge_out"


class PointsEntryOut(BaseModel):
    id: str
    kind: PointsKind
    points: int
    reference: str | None
    reason: str | None
    channel: str | None
    at: datetime


class AdjustPointsIn(Strict):
    points: int = Field(description="Positive adds, negative removes; the balance can never go below zero.")
    reason: Reason


class RedeemPointsIn(Strict):
    points: int = Field(ge=1)
    currency: Currency
    reference: Reference = Field(description="The checkout's tender reference; redeeming it twice burns once.")
    channel: ChannelCode | None = None


class RedemptionOut(BaseModel):
    reference: str
    points: int
    value: MoneyOut


class GiftCardIssueIn(Strict):
    amount: Decimal
    currency: Currency
    expires_on: date | None = None
    owner_id: str | None = None
    channel: ChannelCode | None = None


class GiftCardOut(BaseModel):
    id: str
    last4: str
    currency: str
    balance: MoneyOut
    initial: MoneyOut
    expires_on: date | None
    status: str
    owner_id: str | None
    created_at: datetime


class GiftCardIssued(GiftCardOut):
    code: str = Field(description="The card code. Shown once: print or send it now.")


class GiftCardRedeemIn(Strict):
    code: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    amount: Decimal
    currency: Currency
    reference: Reference
    channel: ChannelCode | None = None


class GiftCardRefundIn(Strict):
    amount: Decimal
    currency: Currency
    reference: Reference
    channel: ChannelCode | None = None


class GiftCardEntryOut(BaseModel):
    kind: str
    amount: MoneyOut
    reference: str | None
    channel: str | None
    at: datetime


class StoreCreditIn(Strict):
    amount: Decimal
    currency: Currency
    reason: Reason
    reference: Reference
    channel: ChannelCode | None = None


class StoreCreditRedeemIn(Strict):
    amount: Decimal
    currency: Currency
    reference: Reference
    channel: ChannelCode | None = None


class StoreCreditOut(BaseModel):
    customer_id: str
    balances: list[MoneyOut]
