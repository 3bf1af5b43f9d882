"""Checkout routes: a cart, or a direct order (till, call centre, marketplace import), into an order. Idempotency-Key required."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path
from fastapi.responses import Response

from tvers.channels.access import Permission, Principal
from tvers.kernel.errors import NotFound, TversError
from tvers.orders import service as orders
from tvers.payments.providers.test_card import TestCardProvider
from tvers.payments.schemas import TenderCode
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, TversDep, check_channel_scope, check_location_scope, requires
from tvers.web.problems import problem
from tvers.workflows import checkout
from tvers.workflows.checkout_schemas import CartCheckoutIn, CheckoutBase, CheckoutOut, DeliveryMethod, DirectOrderIn

router = api_router("checkout")

Checkout = Annotated[Principal, Depends(requires(Permission.CHECKOUT))]
RequiredKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255,
                                    description="Required: a retry with the same key never makes a second order or charge.")]

RESPONSES: dict[int | str, dict[str, object]] = {
    201: {"description": "Confirmed: every tender authorised.", "model": CheckoutOut},
    202: {"description": "Waiting for the shopper (e.g. 3-D Secure): see `next_action`.", "model": CheckoutOut},
    402: {"description": "A tender was declined: nothing stays reserved or taken; the order is kept as `payment_failed`."},
}


@router.post("/checkout", status_code=201, responses=RESPONSES, response_model=CheckoutOut)
def checkout_cart(body: CartCheckoutIn, tvers: TversDep, principal: Checkout, key: RequiredKey) -> Response:
    """Check out a stored cart on a channel (the till may check out the cart a customer built in the app)."""
    _scope(principal, body)
    result = checkout.checkout_cart(tvers, body, caller=_caller(principal, key))
    return _respond(result)


@router.post("/orders", status_code=201, responses=RESPONSES, response_model=CheckoutOut)
def place_direct_order(body: DirectOrderIn, tvers: TversDep, principal: Checkout, key: RequiredKey) -> Response:
    """An order without a cart: a POS carry-out sale, a call-centre order, a marketplace order (idempotent by `external_id`)."""
    _scope(principal, body)
    result = checkout.place_direct_order(tvers, body, caller=_caller(principal, key))
    return _respond(result)


@router.post("/checkout/{order_id}/complete", responses=RESPONSES, response_model=CheckoutOut)
def complete_checkout(order_id: str, tvers: TversDep, principal: Checkout, __: IdempotencyKey = None) -> Response:
    """Finish a checkout that waited for the shopper (3-D Secure): the providers are asked again with the same keys."""
    with tvers.uow(read_only=True) as uow:
        check_channel_scope(principal, orders.get_order(uow, order_id).channel)
    return _respond(checkout.complete_checkout(tvers, order_id, actor=principal.key_id))


@router.post("/test-card/3ds/{reference}", status_code=204)
def pass_test_card_3ds(reference: Annotated[str, Path(pattern=r"^tca_[0-9a-f]{24}$")], tvers: TversDep, _: Checkout) -> Response:
    """The test card's stand-in for the bank's 3-D Secure page: the shopper passed it. Only while the test card is on."""
    provider = _test_card(tvers)
    provider.complete_action(reference)
    return Response(status_code=204)


def _test_card(tvers: TversDep) -> TestCardProvider:
    try:
        provider = tvers.payment_providers.external(TenderCode.TEST_CARD)
    except TversError:
        provider = None
    if not isinstance(provider, TestCardProvider):
        raise TestCardOff("The test card is switched off on this installation")
    return provider


class TestCardOff(NotFound):
    __test__ = False
    code = "test_card_off"


def _scope(principal: Principal, body: CheckoutBase) -> None:
    """An integration orders on its own channel; store staff sell and hand over at their own stores."""
    if body.channel is not None:
        check_channel_scope(principal, body.channel)
    if body.delivery.location is not None and body.delivery.method is DeliveryMethod.CARRY_OUT:
        check_location_scope(principal, body.delivery.location)


def _caller(principal: Principal, key: str) -> checkout.Caller:
    return checkout.Caller(actor=principal.key_id, checkout_key=key, channel=principal.channel_code)


def _respond(result: CheckoutOut) -> Response:
    if result.outcome == "payment_failed":
        last = result.order.history[-1].reason if result.order.history else None
        return problem(402, code="payment_declined", detail=last or "a tender was declined",
                       extra={"order_id": result.order.id, "order_number": result.order.number,
                              "payments": [p.model_dump(mode="json") for p in result.payments]})
    status = 201 if result.outcome == "confirmed" else 202
    # Serialised by pydantic-core straight to bytes (the same compact JSON JSONResponse writes, without the dict in between).
    return Response(result.model_dump_json(), status_code=status, media_type="application/json")
