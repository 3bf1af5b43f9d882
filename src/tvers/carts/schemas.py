"""Published shapes of carts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from tvers.catalog.schemas import MoneyOut, Sku
from tvers.kernel.shapes import Strict

ChannelCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Token = Annotated[str, StringConstraints(min_length=16, max_length=200)]


class CartIn(Strict):
    channel: ChannelCode
    customer_id: str | None = Field(default=None, description="The profile's open cart is returned (made if none).")
    anonymous_token: Token | None = Field(default=None, description="A shopper not signed in: the channel's own random token.")


class CartLineIn(Strict):
    sku: Sku
    quantity: int = Field(ge=0, le=999, description="0 removes the line.")
    channel: ChannelCode | None = Field(default=None, description="The channel adding it; default the cart's.")
    seen_unit_price: Decimal | None = Field(default=None, description="The unit price the shopper saw; display only.")


class ClaimIn(Strict):
    anonymous_token: Token
    customer_id: str


class CartLineOut(BaseModel):
    variant_id: str
    sku: str
    quantity: int
    channel: str
    seen_unit_price: MoneyOut | None
    added_at: datetime
    updated_at: datetime


class CartOut(BaseModel):
    id: str
    customer_id: str | None
    status: str
    channel: str
    lines: list[CartLineOut]
    created_at: datetime
    updated_at: datetime
