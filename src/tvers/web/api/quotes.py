"""Quote routes: the price breakdown any channel can show, for given lines or for a stored cart."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from tvers.channels.access import Permission, Principal
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import CartQuoteQuery, QuoteIn, QuoteOut
from tvers.web.api.common import api_router
from tvers.web.deps import ReadUowDep, check_channel_scope, requires

router = api_router("quotes")

Read = Annotated[Principal, Depends(requires(Permission.PRICING_READ))]


@router.post("/quotes", response_model=QuoteOut)
def create_quote(body: QuoteIn, uow: ReadUowDep, principal: Read) -> QuoteOut:
    """Price lines on a channel for a customer, with coupons and shipping: per-line discounts, VAT, totals, and why
    each promotion did or did not apply. Nothing is stored; checkout prices the same way."""
    check_channel_scope(principal, body.channel)
    with uow:
        return QuoteOut.from_domain(quoting.quote(uow, body))


@router.get("/carts/{cart_id}/quote", response_model=QuoteOut)
def cart_quote(cart_id: str, uow: ReadUowDep, principal: Read, params: Annotated[CartQuoteQuery, Query()]) -> QuoteOut:
    """The stored cart priced for its owner, on the cart's channel (an integration key: on its own channel)."""
    channel = params.channel or principal.channel_code
    if channel is not None:
        check_channel_scope(principal, channel)
    with uow:
        priced = quoting.quote_cart(uow, cart_id, channel=channel, coupon_codes=params.coupon, shipping=params.shipping_choice(),
                                    locale=params.locale)
    return QuoteOut.from_domain(priced)
