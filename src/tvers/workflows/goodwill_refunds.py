"""Money back without goods coming back: a goodwill refund, a price adjustment, compensation for a late delivery.

Split over the order's payments in the order refunds take (ADR 0012), each never more than it has left (a refund above
what remains is a 409 `refund_above_remaining`, nothing written). Local tenders are settled in the transaction; card
and marketplace parts are sent after it commits and recorded in a second, as a return's refunds are. Its VAT is the
order's share of VAT in the amount (a price adjustment lowers the taxable amount in proportion).
"""

from __future__ import annotations

from dataclasses import replace

from tvers.inventory import service as inventory
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.payments import service as payments
from tvers.returns import service as returns
from tvers.returns.refunds import split_refund
from tvers.returns.schemas import GoodwillRefundIn, GoodwillRefundOut
from tvers.workflows import returns as returns_flow
from tvers.workflows.app import App


def refund_goodwill(app: App, order_id: str, data: GoodwillRefundIn) -> GoodwillRefundOut:
    with app.uow() as uow:
        orders.lock_order(uow, order_id)  # refunds of one order queue: each sees what the one before it gave back
        order = orders.get_order(uow, order_id)
        if data.currency != order.currency:
            message = f"the order was paid in {order.currency}"
            raise InvalidInput(message, fields=[FieldError("currency", message, "wrong_currency")], code="wrong_currency")
        amount = Money.of(data.amount, order.currency)
        at_till = data.location is not None and inventory.get_location(uow, data.location).type in returns_flow.TILLS
        policy = replace(returns_flow.refund_policy(uow, order), is_cash_at_hand=at_till)
        tenders = split_refund(amount.minor, returns_flow.sold_order(uow, order), policy)
        returns_flow.check_cash_has_a_till(order, tenders)
        requests = returns_flow.pay_back(uow, tenders, currency=order.currency, customer_id=order.customer_id)
        total, vat = Money.of(order.total.amount, order.currency).minor, Money.of(order.vat_total.amount, order.currency).minor
        vat_part = vat * amount.minor // total if total else 0
        returns.announce_goodwill_refund(uow, order_id=order.id, channel=order.channel, currency=order.currency,
                                         amount_minor=amount.minor, vat_minor=vat_part, tenders=tenders, reason=data.reason.value)
        uow.commit()
    results = [payments.refund(request, providers=app.payment_providers) for request in requests]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()
    answered = {result.request.payment_id: result.status.value for result in results}
    return GoodwillRefundOut(order_id=order.id, currency=order.currency, amount_minor=amount.minor, vat_minor=vat_part, reason=data.reason,
                             tenders=[{**part, "status": answered.get(str(part["payment_id"]), "succeeded")}
                                      for part in returns.tender_parts(tenders)])
