"""A card refund the provider declines leaves the return `refund_failed` (not `refunded`) until the part is sent again or paid
as store credit; a refund with no answer keeps the return `refund_pending` until the worker learns it. Both databases."""

from __future__ import annotations

from sqlalchemy import select

from support.api import ok, problem
from support.returns import REFUND_DECLINED, payment_ledger, sell_and_deliver
from tvers.db.outbox import OutboxEvent
from tvers.jobs import settle_return_refunds
from tvers.payments.providers import Providers
from tvers.payments.providers.base import ProviderRequest, ProviderResult, ResultStatus


def outbox(tvers, type_: str) -> list[dict]:
    with tvers.uow(read_only=True) as uow:
        return [e.payload for e in uow.session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))]


def refund_keys(tvers, order_id: str) -> list[tuple[str, str]]:
    """(idempotency key, status) of the order's card refunds, oldest first."""
    from tvers.payments.models import Payment, PaymentTransaction

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(PaymentTransaction.idempotency_key, PaymentTransaction.status).join(
            Payment, Payment.id == PaymentTransaction.payment_id).where(
            Payment.order_id == order_id, Payment.tender == "test_card", PaymentTransaction.kind == "refund")
            .order_by(PaymentTransaction.created_at, PaymentTransaction.id))
        return [(key.split(":", 1)[1], status) for key, status in rows]


def returned(client, sold, quantity=2):
    line = sold.order["lines"][0]
    asked = ok(client.post("/api/v1/returns", headers=sold.stockholm, json={
        "order_id": sold.order["id"], "lines": [{"line_id": line["id"], "quantity": quantity, "reason": "wrong_size"}]}))
    return ok(client.post(f"/api/v1/returns/{asked['id']}/receive", headers=sold.stockholm, json={"location": "stockholm"}))


def test_a_declined_card_refund_leaves_the_return_refund_failed(client, admin, tvers):
    # given an order paid 657.65 by a card that has been closed since (its refunds are declined) and 500.00 by gift card
    sold = sell_and_deliver(client, admin, tvers, card_number=REFUND_DECLINED)
    # when two units come back: 657.65 to the card, 61.45 to the gift card
    done = returned(client, sold)
    # then the return says the refund failed, not refunded, and shows the declined part
    assert (done["status"], done["refunded_at"]) == ("refund_failed", None)
    card_payment = next(t["payment_id"] for t in done["plan"]["tenders"] if t["tender"] == "test_card")
    assert [(p["payment_id"], p["amount_minor"], p["status"], p["failure_code"]) for p in done["refunds"]] == [
        (card_payment, 65765, "failed", "expired_or_canceled_card")]
    # and the payments ledger agrees: the gift card got its part, the card nothing
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 6145), "test_card": (65765, 0)}
    # and `refund.failed` says which payment, how much and the provider's code
    [failed] = outbox(tvers, "refund.failed")
    assert (failed["return_id"], failed["payment_id"], failed["amount_minor"], failed["failure_code"]) == (
        done["id"], card_payment, 65765, "expired_or_canceled_card")


def test_a_failed_refund_retried_through_the_provider_uses_a_fresh_key(client, admin, tvers):
    # given a return whose card refund was declined
    sold = sell_and_deliver(client, admin, tvers, card_number=REFUND_DECLINED)
    done = returned(client, sold)
    # when staff send it again through the provider (the card is still closed)
    again = ok(client.post(f"/api/v1/returns/{done['id']}/retry-refund", headers=sold.stockholm, json={"as": "provider"}))
    # then it was asked again under a new key, declined again, and the return still says so
    assert refund_keys(tvers, sold.order["id"]) == [("refund:1", "failed"), ("refund:2", "failed")]
    assert again["status"] == "refund_failed"
    assert [(p["status"], p["refund_as"]) for p in again["refunds"]] == [("retried", "test_card"), ("failed", "test_card")]
    assert len(outbox(tvers, "refund.failed")) == 2


def test_a_failed_refund_paid_as_store_credit_completes_the_return(client, admin, tvers):
    # given a return whose 657.65 card refund was declined
    sold = sell_and_deliver(client, admin, tvers, card_number=REFUND_DECLINED)
    done = returned(client, sold)
    # when staff pay that part as store credit instead
    paid = ok(client.post(f"/api/v1/returns/{done['id']}/retry-refund", headers=sold.stockholm, json={"as": "store_credit"}))
    # then the return is refunded, the card payment booked as refunded (as store credit) and the customer holds the credit
    assert paid["status"] == "refunded" and paid["refunded_at"] is not None
    assert [(p["status"], p["refund_as"], p["amount_minor"]) for p in paid["refunds"]] == [
        ("retried", "test_card", 65765), ("succeeded", "store_credit", 65765)]
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 6145), "test_card": (65765, 65765)}
    credit = ok(client.get(f"/api/v1/customers/{sold.customer_id}/store-credit", headers=admin))["balances"]
    assert credit == [{"amount": "657.65", "currency": "NOK"}]
    # and nothing is left to retry
    problem(client.post(f"/api/v1/returns/{done['id']}/retry-refund", headers=sold.stockholm, json={"as": "store_credit"}),
            409, "no_failed_refund")


class SilentRefunds:
    """The test card behind a network that times out on refunds: the provider's answer never arrives."""

    def __init__(self, card) -> None:
        self.card, self.code = card, card.code

    def __getattr__(self, name):
        return getattr(self.card, name)

    def refund(self, request: ProviderRequest) -> ProviderResult:
        return ProviderResult(request, ResultStatus.UNKNOWN)


def test_a_refund_with_no_answer_stays_pending_until_the_worker_learns_it(client, admin, tvers, monkeypatch):
    # given an order paid partly by an ordinary card, and refunds to it timing out
    sold = sell_and_deliver(client, admin, tvers)
    real = tvers.payment_providers
    silent = Providers(local={c: real.local(c) for c in real.codes if real.is_local(c)},
                       external={c: (SilentRefunds(real.external(c)) if c == "test_card" else real.external(c))
                                 for c in real.codes if not real.is_local(c)})
    monkeypatch.setattr(tvers, "payment_providers", silent)
    # when two units come back
    done = returned(client, sold)
    # then the return says the refund is pending, not refunded, and the card refund waits under its key
    assert (done["status"], done["refunded_at"]) == ("refund_pending", None)
    assert [p["status"] for p in done["refunds"]] == ["pending"]
    assert refund_keys(tvers, sold.order["id"]) == [("refund:1", "pending")]
    # and a retry is refused: nothing failed
    problem(client.post(f"/api/v1/returns/{done['id']}/retry-refund", headers=sold.stockholm), 409, "no_failed_refund")
    # when the worker runs while the network is still down, then it stays pending
    assert settle_return_refunds(tvers) == 1
    assert ok(client.get(f"/api/v1/returns/{done['id']}", headers=admin))["status"] == "refund_pending"
    # when the network is back and the worker re-sends the same key
    monkeypatch.setattr(tvers, "payment_providers", real)
    settle_return_refunds(tvers)
    # then the refund is known, once, and the return is refunded
    assert refund_keys(tvers, sold.order["id"]) == [("refund:1", "succeeded")]
    found = ok(client.get(f"/api/v1/returns/{done['id']}", headers=admin))
    assert (found["status"], [p["status"] for p in found["refunds"]]) == ("refunded", ["succeeded"])
    assert settle_return_refunds(tvers) == 0


def test_a_later_return_does_not_count_on_money_a_failed_refund_still_owes(client, admin, tvers):
    # given the first two units' card refund (657.65, all the card paid) declined and not yet retried
    sold = sell_and_deliver(client, admin, tvers, card_number=REFUND_DECLINED)
    first = returned(client, sold)
    # when the last unit comes back
    last = returned(client, sold, quantity=1)
    # then its 359.55 goes to the gift card: the card's money is already owed to the first return
    assert [(t["tender"], t["amount_minor"]) for t in last["plan"]["tenders"] if t["amount_minor"]] == [("gift_card", 35955)]
    assert last["status"] == "refunded"
    # and the first one's part can still be paid in full, as store credit
    assert ok(client.post(f"/api/v1/returns/{first['id']}/retry-refund", headers=sold.stockholm,
                          json={"as": "store_credit"}))["status"] == "refunded"
    assert payment_ledger(tvers, sold.order["id"]) == {"gift_card": (50000, 6145 + 35955), "test_card": (65765, 65765)}
