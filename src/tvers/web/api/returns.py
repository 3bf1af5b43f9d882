"""Return routes: ask for a return of an order's units, receive it at a location (restock and refund), read returns; policies.

The policy of the channel the goods were sold on applies wherever they come back. Admins and store staff may override it
with a reason (kept on the return); an integration acts for its own channel's orders and may not override. Store staff
receive at their own locations only. Policies are for admins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from tvers.channels.access import Permission, Principal, Role
from tvers.orders import service as orders
from tvers.returns import service as returns
from tvers.returns.receiptless_schemas import ReceiptlessReturnIn, ReturnableLineOut
from tvers.returns.schemas import (
    GoodwillRefundIn,
    GoodwillRefundOut,
    RetryRefundIn,
    ReturnOut,
    ReturnPolicyIn,
    ReturnPolicyOut,
    SendBackIn,
    SentBackOut,
)
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, TversDep, UowDep, check_channel_scope, check_location_scope, requires
from tvers.workflows import exchanges, goodwill_refunds, receiptless_returns, return_refunds, return_send_backs
from tvers.workflows import returns as returns_flow
from tvers.workflows.exchange_schemas import ReceiptIn, ReturnRequestIn

router = api_router("returns")

Read = Annotated[Principal, Depends(requires(Permission.RETURNS_READ))]
Write = Annotated[Principal, Depends(requires(Permission.RETURNS_WRITE))]
Refund = Annotated[Principal, Depends(requires(Permission.REFUNDS_ISSUE))]
RequiredKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255,
                                    description="Required: a retry with the same key never refunds twice.")]
Policies = Annotated[Principal, Depends(requires(Permission.RETURN_POLICIES_MANAGE))]
SendBack = Annotated[Principal, Depends(requires(Permission.TRANSFERS_WRITE))]
MAY_OVERRIDE = frozenset({Role.ADMIN, Role.STORE_STAFF})


@router.post("/returns", status_code=201, response_model=ReturnOut)
def request_return(body: ReturnRequestIn, tvers: TversDep, principal: Write, _: IdempotencyKey = None) -> ReturnOut:
    """Units handed over and not yet returned, each with a structured reason; checked against the sold channel's policy.
    With `exchange`, the replacement is reserved now and ordered when the goods come in."""
    check_channel_scope(principal, returns_flow.order_channel(tvers, order_id=body.order_id))
    if body.exchange is not None and body.exchange.channel is not None:
        check_channel_scope(principal, body.exchange.channel)
    return returns_flow.request_return(tvers, body, actor=principal.key_id, may_override=principal.role in MAY_OVERRIDE)


@router.get("/returns/{return_id}", response_model=ReturnOut)
def get_return(return_id: str, uow: ReadUowDep, principal: Read) -> ReturnOut:
    with uow:
        found = returns.get_return(uow, return_id)
    check_channel_scope(principal, found.sold_channel)
    return found


@router.post("/returns/{return_id}/receive", response_model=ReturnOut)
def receive_return(return_id: str, body: ReceiptIn, tvers: TversDep, principal: Write, _: IdempotencyKey = None) -> ReturnOut:
    """The goods are in at `location`: restocked there (damaged units written off), refunded to the order's tenders; an
    exchange's replacement ordered, `tenders` paying any difference."""
    check_channel_scope(principal, returns_flow.order_channel(tvers, return_id=return_id))
    check_location_scope(principal, body.location)
    return returns_flow.receive_return(tvers, return_id, body, actor=principal.key_id, may_override=principal.role in MAY_OVERRIDE)


@router.get("/orders/{order_id}/returns", response_model=list[ReturnOut])
def order_returns(order_id: str, uow: ReadUowDep, principal: Read) -> list[ReturnOut]:
    """Every return of the order, wherever it was returned."""
    with uow:
        check_channel_scope(principal, orders.get_order(uow, order_id).channel)
        return returns.returns_of_order(uow, order_id)


@router.put("/return-policies", response_model=ReturnPolicyOut)
def set_return_policy(body: ReturnPolicyIn, uow: UowDep, _: Policies) -> ReturnPolicyOut:
    """Create or replace the policy of (channel, category prefix); the most specific one applies to a sold line."""
    with uow:
        policy = returns.set_policy(uow, body)
        uow.commit()
    return policy


@router.get("/return-policies", response_model=list[ReturnPolicyOut])
def list_return_policies(uow: ReadUowDep, _: Policies) -> list[ReturnPolicyOut]:
    """The stored policies; with none for a sale, the built-in default applies (30 days, no fee, shipping kept)."""
    with uow:
        return returns.list_policies(uow)


def _own_channel(principal: Principal) -> str | None:
    """An integration sees and returns its own channel's sales only; every other role, all channels'."""
    return principal.channel_code if principal.role is Role.INTEGRATION else None


@router.post("/returns/receiptless", status_code=201, response_model=list[ReturnOut])
def request_receiptless_return(body: ReceiptlessReturnIn, tvers: TversDep, principal: Write,
                               _: IdempotencyKey = None) -> list[ReturnOut]:
    """No receipt: the customer's units by SKU, from their most recently handed-over lines on any channel (one return per
    order); only where the sold channel's policy takes receipt-less returns, refunded only as store credit."""
    return receiptless_returns.request_receiptless_return(tvers, body, actor=principal.key_id,
                                                          may_override=principal.role in MAY_OVERRIDE, channel=_own_channel(principal))


@router.get("/customers/{customer_id}/returnable", response_model=list[ReturnableLineOut])
def returnable_lines(customer_id: str, uow: ReadUowDep, principal: Read) -> list[ReturnableLineOut]:
    """The customer's order lines from every channel with units handed over and not yet returned, newest first."""
    with uow:
        return receiptless_returns.returnable_lines(uow, customer_id, channel=_own_channel(principal))


@router.get("/customers/{customer_id}/returns", response_model=list[ReturnOut])
def customer_returns(customer_id: str, uow: ReadUowDep, principal: Read) -> list[ReturnOut]:
    """The customer's returns from every channel, wherever they were returned, newest first."""
    with uow:
        return receiptless_returns.customer_returns(uow, customer_id, channel=_own_channel(principal))


@router.get("/return-authorisations/{number}", response_model=ReturnOut)
def find_return_authorisation(number: str, uow: ReadUowDep, principal: Read) -> ReturnOut:
    """A return by the authorisation number on the parcel or the customer's phone (`RMA-7KQ2-M9XD`; case and dashes are free)."""
    with uow:
        found = returns.find_by_number(uow, number)
    check_channel_scope(principal, found.sold_channel)
    return found


@router.post("/returns/{return_id}/cancel", response_model=ReturnOut)
def cancel_return(return_id: str, uow: UowDep, principal: Write, _: IdempotencyKey = None) -> ReturnOut:
    """The customer changed their mind before sending the goods: only while `requested`; its units may be returned again."""
    with uow:
        check_channel_scope(principal, returns.get_return(uow, return_id).sold_channel)
        exchanges.release_hold(uow, return_id, reason="return cancelled")  # undone with the rest if it cannot be cancelled
        cancelled = returns.cancel(uow, return_id)
        uow.commit()
    return cancelled


@router.post("/returns/{return_id}/retry-refund", response_model=ReturnOut)
def retry_refund(return_id: str, tvers: TversDep, principal: Write, body: RetryRefundIn | None = None,
                 _: IdempotencyKey = None) -> ReturnOut:
    """A `refund_failed` return: its declined parts sent again through the provider (`{"as": "provider"}`, the default), or
    paid as store credit to the customer (`{"as": "store_credit"}`)."""
    check_channel_scope(principal, returns_flow.order_channel(tvers, return_id=return_id))
    return return_refunds.retry_refund(tvers, return_id, refund_as=(body or RetryRefundIn()).refund_as)


@router.post("/locations/{code}/returns/send-back", status_code=201, response_model=SentBackOut)
def send_back_returns(code: str, body: SendBackIn, tvers: TversDep, principal: SendBack, _: IdempotencyKey = None) -> SentBackOut:
    """The resellable returned units received here and not sent back yet, on one shipped transfer to `to_location`."""
    check_location_scope(principal, code)
    return return_send_backs.send_back(tvers, code, body, actor=principal.key_id)


@router.post("/orders/{order_id}/refunds", status_code=201, response_model=GoodwillRefundOut)
def refund_without_return(order_id: str, body: GoodwillRefundIn, tvers: TversDep, principal: Refund,
                          _: RequiredKey) -> GoodwillRefundOut:
    """Money back without goods coming back (goodwill, a price adjustment, a late delivery): over the order's payments in
    refund order, never more than they have left (409 `refund_above_remaining`). `Idempotency-Key` required: a retry never
    refunds twice."""
    check_channel_scope(principal, returns_flow.order_channel(tvers, order_id=order_id))
    if body.location is not None:
        check_location_scope(principal, body.location)
    return goodwill_refunds.refund_goodwill(tvers, order_id, body)
