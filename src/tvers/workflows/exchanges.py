"""Exchanges: returned units pay for others (docs/returns.md "Exchanges", ADR 0014).

Asked for with the return, the replacement is priced on the channel the goods were sold on (or the one named) and its
stock is reserved at once, under the return, by the same sourcing as a checkout. When the goods come in, in the
transaction that receives them, the returned units' refund is worked out as for any return; the part of it that pays
for the replacement (the credit: at most the replacement's price) goes into a voucher — a gift card issued for that
amount, booked on the original payments as refunded into it, so no provider is asked and no money leaves — and the
rest goes back to the original tenders. The tenders the customer hands over pay any difference. Then the replacement
is checked out as a direct order (the linked order), paid by the voucher and those tenders; its checkout frees the
held stock in the transaction that reserves it again. Even exchange: the price is the credit, so no money moves.

A replacement that cannot be ordered after the goods came in (its card declined, its held stock run out) leaves the
voucher with the customer: its code is shown on the return until it is spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from tvers.channels import service as channels
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardIssueIn
from tvers.db.uow import Uow
from tvers.fulfillment.sourcing import WantedLine
from tvers.inventory import service as inventory
from tvers.kernel.errors import FieldError, InvalidInput, TversError
from tvers.kernel.money import Money
from tvers.payments import service as payments
from tvers.payments.schemas import GiftCardTender, TenderCode, TenderIn
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import QuoteIn, QuoteLineIn
from tvers.returns import service as returns
from tvers.returns.errors import ExchangeDifferenceUnpaid, NotAnExchange
from tvers.returns.refund_types import RefundPlan
from tvers.workflows import checkout
from tvers.workflows.app import App
from tvers.workflows.checkout_schemas import CustomerRefIn, DeliveryIn, DirectOrderIn, OrderLineIn
from tvers.workflows.exchange_schemas import ExchangeIn

HELD_FOR_RETURN = "return"  # the reservation reference of a replacement held for its return
HOLD_DAYS = 30  # how long a replacement stays held for goods still on their way back
HELD, ORDERED, PENDING, FAILED, RELEASED = "held", "ordered", "pending", "failed", "released"
# The voucher is funded from the tenders the refund would go back to last: cards keep the refund of any rest (ADR 0012).
POINTS = TenderCode.LOYALTY_POINTS.value


def hold_replacement(app: App, uow: Uow, *, return_id: str, sold_channel: str, currency: str, customer_id: str | None,
                     exchange: ExchangeIn) -> None:
    """Price the replacement and reserve it now, under the return; an unknown SKU or missing stock refuses the return (4xx)."""
    channel = exchange.channel or sold_channel
    ref = channels.channel_ref(uow, channel)
    if ref.currency != currency:  # the returned units' money pays for it: one currency
        message = f"{channel} sells in {ref.currency}; the goods returned were paid in {currency}"
        raise InvalidInput(message, fields=[FieldError("exchange.channel", message, "wrong_currency")], code="wrong_currency")
    quote = quoting.quote(uow, _quote_in(channel, exchange.lines, exchange.delivery, customer_id))
    wanted = [WantedLine(line_id=line.sku, variant_id=line.variant_id, quantity=line.quantity, sku=line.sku) for line in quote.lines]
    sourced = checkout.source_way(app, uow, exchange.delivery, wanted, channel_id=ref.id)
    skus = {line.variant_id: line.sku for line in quote.lines}
    inventory.reserve_stock(uow, lines=[inventory.ReserveLine(variant_id=variant_id, location_id=location_id, quantity=quantity,
                                                              sku=skus[variant_id])
                                        for variant_id, location_id, quantity in sourced.reserve],
                            ref=inventory.Ref(HELD_FOR_RETURN, return_id), expires_at=uow.clock.now() + timedelta(days=HOLD_DAYS),
                            channel_id=ref.id)
    returns.set_exchange(uow, return_id, {
        "status": HELD, "channel": channel, "lines": [line.model_dump(mode="json") for line in exchange.lines],
        "delivery": exchange.delivery.model_dump(mode="json", exclude_none=True), "price_minor": quote.grand_total.minor,
    })


def release_hold(uow: Uow, return_id: str, *, reason: str) -> None:
    """A return that will not come in (cancelled, expired): its replacement's held stock is free again."""
    inventory.release_reference(uow, inventory.Ref(HELD_FOR_RETURN, return_id), reason=reason)
    exchange = returns.exchange_of(uow, return_id)
    if exchange is not None and exchange.get("status") == HELD:  # its hold may have run out on its own already
        returns.set_exchange(uow, return_id, exchange | {"status": RELEASED})


def fund_replacement(uow: Uow, *, return_id: str, customer_id: str | None, plan: RefundPlan,
                     tenders: Sequence[TenderIn]) -> dict[str, int]:
    """In the receipt's transaction: the part of each payment's refund that goes into the voucher, which is issued and booked.

    The replacement is priced again now (what the checkout will charge); the tenders given must pay exactly what the credit
    does not (422, nothing written, otherwise)."""
    exchange = returns.exchange_of(uow, return_id)
    if exchange is None or exchange.get("status") != HELD:
        if tenders:
            raise NotAnExchange("this return exchanges nothing: there is no difference to pay",
                                fields=[FieldError("tenders", "not an exchange", NotAnExchange.code)])
        return {}
    lines = [OrderLineIn.model_validate(line) for line in exchange["lines"]]
    delivery = DeliveryIn.model_validate(exchange["delivery"])
    price = quoting.quote(uow, _quote_in(exchange["channel"], lines, delivery, customer_id)).grand_total
    money = [(t.payment_id, t.amount_minor) for t in plan.tenders if t.tender != POINTS and t.amount_minor > 0]
    credit = min(sum(amount for _, amount in money), price.minor)
    difference = price.minor - credit
    _check_difference(tenders, Money(difference, price.currency))
    into_voucher = _take_from_last(money, credit)
    if credit > 0:
        voucher = customers.issue_gift_card(uow, GiftCardIssueIn(amount=Money(credit, price.currency).amount, currency=price.currency,
                                                                 owner_id=customer_id, channel=exchange["channel"]))
        for payment_id, part in into_voucher.items():
            payments.refund_payment_to_voucher(uow, payment_id=payment_id, amount=Money(part, price.currency), voucher=voucher.id)
        exchange |= {"voucher_id": voucher.id, "voucher_code": voucher.code}
    returns.set_exchange(uow, return_id, exchange | {
        "price_minor": price.minor, "credit_minor": credit, "difference_minor": difference,
        "refunded_minor": plan.total_minor - credit,
        "into_voucher": [{"payment_id": payment_id, "amount_minor": part} for payment_id, part in into_voucher.items()],
    })
    return into_voucher


def place_replacement(app: App, return_id: str, *, actor: str, tenders: Sequence[TenderIn]) -> None:
    """After the receipt committed: the linked order, paid by the voucher and the tenders given; `return.exchanged`.

    Safe to run again (the checkout key is the return's): the worker finishes exchanges a crash left funded but not
    ordered, and follows a pending one (a difference waiting for 3-D Secure) to its order's outcome."""
    with app.uow(read_only=True) as uow:
        found = returns.get_return(uow, return_id)
        exchange = returns.exchange_of(uow, return_id)
    if exchange is None or "credit_minor" not in exchange or exchange.get("status") not in (HELD, PENDING):
        return
    paid_by: list[TenderIn] = list(tenders)
    if exchange["credit_minor"] > 0:
        credit = Money(exchange["credit_minor"], found.currency)
        paid_by.insert(0, GiftCardTender(code=exchange["voucher_code"], amount=credit.amount, currency=found.currency))
    order = DirectOrderIn(channel=exchange["channel"], customer=None if found.customer_id is None else CustomerRefIn(id=found.customer_id),
                          delivery=DeliveryIn.model_validate(exchange["delivery"]),
                          lines=[OrderLineIn.model_validate(line) for line in exchange["lines"]], tenders=paid_by)
    caller = checkout.Caller(actor=actor, checkout_key=f"exchange-{return_id}", releases=inventory.Ref(HELD_FOR_RETURN, return_id))
    outcome: dict[str, Any]
    try:
        placed = checkout.place_direct_order(app, order, caller=caller)
    except TversError as error:  # the goods are in and the credit is on the voucher: say why, keep the voucher for the customer
        outcome = {"status": FAILED, "failure": {"code": error.code, "message": str(error)}}
    else:
        status = {"confirmed": ORDERED, "payment_failed": FAILED}.get(placed.outcome, PENDING)
        outcome = {"status": status, "order_id": placed.order.id, "order_number": placed.order.number}
    if outcome["status"] == exchange["status"] == PENDING:
        return  # still waiting for the customer or the provider: nothing new to record
    with app.uow() as uow:
        if outcome["status"] == FAILED:  # no replacement will leave: its held stock is free (the checkout's release rolled back)
            inventory.release_reference(uow, inventory.Ref(HELD_FOR_RETURN, return_id), reason="exchange failed")
        returns.set_exchange(uow, return_id, exchange | outcome)
        returns.announce_exchange(uow, return_id)
        uow.commit()


def finish_exchanges(app: App, *, limit: int = 100) -> int:
    """The worker's sweep: exchanges whose goods came in but whose replacement was not ordered (a crash between the two
    transactions) or is still pending; placed again under the same checkout key. Returns how many it looked at."""
    with app.uow(read_only=True) as uow:
        due = [return_id for return_id, exchange in returns.received_exchanges(uow, since=uow.clock.now() - timedelta(days=HOLD_DAYS),
                                                                                 limit=limit)
               if "credit_minor" in exchange and exchange.get("status") in (HELD, PENDING)]
    for return_id in due:
        place_replacement(app, return_id, actor="worker", tenders=[])
    return len(due)


def _quote_in(channel: str, lines: Sequence[OrderLineIn], delivery: DeliveryIn, customer_id: str | None) -> QuoteIn:
    return QuoteIn(channel=channel, lines=[QuoteLineIn(sku=line.sku, quantity=line.quantity) for line in lines],
                   customer_id=customer_id, shipping=checkout.shipping_choice(delivery))


def _check_difference(tenders: Sequence[TenderIn], difference: Money) -> None:
    given = sum((Money.of(t.amount, t.currency) for t in tenders if t.currency == difference.currency), Money(0, difference.currency))
    paid = given >= difference if any(t.tender == TenderCode.CASH.value for t in tenders) else given == difference  # cash: change due
    if any(t.currency != difference.currency for t in tenders) or not paid or (tenders and not difference.minor):
        message = (f"the replacement costs {difference} more than the returned units give it: pay exactly that"
                   if difference.minor else "the returned units pay for the whole replacement: give no tenders")
        raise ExchangeDifferenceUnpaid(message, fields=[FieldError("tenders", message, ExchangeDifferenceUnpaid.code)],
                                       difference=str(difference.amount), currency=difference.currency)


def _take_from_last(parts: Sequence[tuple[str, int]], amount: int) -> dict[str, int]:
    """`amount` taken from the refund parts, the last first (the plan lists tenders in the order refunds go back)."""
    taken: dict[str, int] = {}
    for payment_id, part in reversed(parts):
        if amount <= 0:
            break
        take = min(part, amount)
        taken[payment_id] = take
        amount -= take
    return taken

