"""Cart routes: a cart per customer across channels; the store app loads the cart a customer built in the app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tvers.carts import service as carts
from tvers.carts.schemas import CartIn, CartLineIn, CartOut, ClaimIn
from tvers.channels.access import Permission, Principal
from tvers.customers import service as customers
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, check_channel_scope, requires

router = api_router("carts")

Read = Annotated[Principal, Depends(requires(Permission.CARTS_READ))]
Write = Annotated[Principal, Depends(requires(Permission.CARTS_WRITE))]


@router.post("/carts", response_model=CartOut)
def open_cart(body: CartIn, uow: UowDep, principal: Write, __: IdempotencyKey = None) -> CartOut:
    """The customer's open cart (one across all channels), or an anonymous shopper's by token; made on first use."""
    check_channel_scope(principal, body.channel)
    with uow:
        owner = customers.active_customer_id(uow, body.customer_id) if body.customer_id else None
        cart = carts.open_cart(uow, body.model_copy(update={"customer_id": owner}))
        uow.commit()
    return cart


@router.get("/carts/{cart_id}", response_model=CartOut)
def get_cart(cart_id: str, uow: ReadUowDep, _: Read) -> CartOut:
    with uow:
        return carts.get_cart(uow, cart_id)


@router.post("/carts/{cart_id}/lines", response_model=CartOut)
def set_line(cart_id: str, body: CartLineIn, uow: UowDep, principal: Write, __: IdempotencyKey = None) -> CartOut:
    """Set a SKU's quantity (0 removes it); the line remembers the channel and the price the shopper saw."""
    if body.channel is not None:
        check_channel_scope(principal, body.channel)
    data = body.model_copy(update={"channel": body.channel or principal.channel_code})
    with uow:
        cart = carts.set_line(uow, cart_id, data)
        uow.commit()
    return cart


@router.post("/carts/claim", response_model=CartOut)
def claim_cart(body: ClaimIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> CartOut:
    """On sign-in: the anonymous cart joins the customer's open cart (per SKU the larger quantity wins)."""
    with uow:
        owner = customers.active_customer_id(uow, body.customer_id)
        cart = carts.claim_anonymous_cart(uow, token=body.anonymous_token, customer_id=owner)
        uow.commit()
    return cart


@router.get("/customers/{customer_id}/carts", response_model=list[CartOut])
def customer_carts(customer_id: str, uow: ReadUowDep, _: Read) -> list[CartOut]:
    """Open cart first: what the store app loads to serve a customer who built a cart in the app."""
    with uow:
        return carts.customer_carts(uow, customers.get_customer(uow, customer_id).id)
