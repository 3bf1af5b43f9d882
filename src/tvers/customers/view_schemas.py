"""The published shape of the customer view."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tvers.carts.schemas import CartOut
from tvers.catalog.schemas import MoneyOut
from tvers.customers.money_schemas import GiftCardOut, LoyaltyOut
from tvers.customers.schemas import ActivityOut, ConsentOut, CustomerOut, IdentityOut


class CustomerView(BaseModel):
    profile: CustomerOut
    identities: list[IdentityOut]
    consents: list[ConsentOut]
    consent_history: str = Field(description="Link to the full consent ledger.")
    loyalty: LoyaltyOut
    gift_cards: list[GiftCardOut]
    store_credit: list[MoneyOut]
    carts: list[CartOut]
    timeline: list[ActivityOut]
    orders: list[dict[str, object]] = Field(description="The latest 50 orders from every channel, newest first.")
    returns: list[dict[str, object]] = Field(description="The latest 50 returns from every channel, wherever returned, newest "
                                                         "first, as `GET /returns/{id}` shows them.")
