"""Editing an order before fulfilment: add, remove or change lines — re-priced, re-reserved, re-authorised for the difference.

An edit that costs no more is applied in one transaction (stock of removed units and the money difference go back).
An edit that costs more needs tenders for the difference and runs like checkout: step 1 reserves the added units and
opens the new payments, step 2 authorises them with no transaction open, step 3 applies the edit — or, when a tender
is refused, releases the added units and the new tenders and leaves the order as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from pydantic import Field

from tvers.db.uow import Uow
from tvers.fulfillment.sourcing import WantedLine
from tvers.inventory import service as inventory
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.money import Money
from tvers.kernel.shapes import Strict
from tvers.orders import service as orders
from tvers.orders.schemas import NewOrderLine, OrderOut
from tvers.payments import service as payments
from tvers.payments.schemas import TenderIn
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import Quote, QuoteIn, QuoteLineIn, ShippingAddress, ShippingChoice
from tvers.workflows import order_sourcing
from tvers.workflows.app import App
from tvers.workflows.checkout_schemas import OrderLineIn
from tvers.workflows.order_snapshot import new_order_lines, order_totals, pricing_snapshot

ORDER = "order"


class EditNeedsPayment(InvalidInput):
    code = "edit_needs_payment"


class EditDeclined(InvalidInput):
    """The tenders for the difference were refused; the order is as it was. Mapped to 402 by the route."""

    code = "payment_declined"


class EditIn(Strict):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200, description="The order's lines after the edit (every line).")
    tenders: list[TenderIn] = Field(default_factory=list, max_length=6, description="Needed only when the edit costs more.")
    version: int | None = Field(default=None, description="The order version you saw; a stale one is refused with 409.")
    reason: str | None = Field(default=None, max_length=500)


@dataclass(frozen=True)
class _Plan:
    order: OrderOut
    quote: Quote
    lines: tuple[NewOrderLine, ...]
    reduced: dict[tuple[str, str], int]  # (variant, location) → units to give back
    difference: Money  # new total less what the tenders already promise
    summary: str


def edit_order(app: App, order_id: str, data: EditIn, *, actor: str) -> None:
    with app.uow() as uow:
        plan = _plan(app, uow, order_id, data)
        if plan.difference.minor <= 0:
            if data.tenders:
                raise InvalidInput("This edit costs no more: send no tenders", code="tenders_not_needed",
                                   fields=[FieldError("tenders", "must be empty", "not_needed")])
            _reserve_added(app, uow, plan)
            voids = _apply(uow, plan, actor=actor)
            uow.commit()
            _send_voids(app, voids)
            return
        if not data.tenders:
            raise EditNeedsPayment(f"This edit costs {plan.difference} more: send tenders for it", fields=[
                FieldError("tenders", f"tenders for {plan.difference} are needed", "required")], amount=str(plan.difference))
        added = _reserve_added(app, uow, plan)
        opened = payments.open_payments(uow, order_id=order_id, customer_id=plan.order.customer_id, channel=plan.order.channel,
                                        tenders=data.tenders, total=plan.difference, providers=app.payment_providers, additional=True)
        uow.commit()
    new_ids = [payment.id for payment in opened]
    _authorise_and_settle(app, plan, new_ids=new_ids, added=added, actor=actor, version=plan.order.version)


def _plan(app: App, uow: Uow, order_id: str, data: EditIn) -> _Plan:
    orders.editable_order(uow, order_id, version=data.version)
    order = orders.get_order(uow, order_id)
    wanted_lines = [QuoteLineIn(sku=line.sku, quantity=line.quantity) for line in data.lines]
    quote = quoting.quote(uow, QuoteIn(channel=order.channel, lines=wanted_lines, customer_id=order.customer_id,
                                       coupon_codes=list(order.coupon_codes), shipping=_shipping(order)))
    if quote.breakdown.currency != order.currency:
        raise InvalidInput("The channel's prices are now in another currency than the order's", code="currency_changed")
    held = {line.variant_id: (line.location_id, line.quantity - line.cancelled_quantity) for line in order.lines}
    locations = _locations(app, uow, order, quote, held)
    wanted = {line.variant_id: line.quantity for line in quote.lines}
    reduced = {(variant, str(location)): units - wanted.get(variant, 0) for variant, (location, units) in held.items()
               if location is not None and units > wanted.get(variant, 0)}
    promised = payments.promised_for_order(uow, order_id, currency=order.currency).minor
    difference = Money(quote.grand_total.minor - promised, order.currency)
    summary = ", ".join(f"{line.sku} × {line.quantity}" for line in quote.lines)
    return _Plan(order=order, quote=quote, lines=new_order_lines(quote, locations, methods=_methods(order, quote)),
                 reduced=reduced, difference=difference, summary=summary)


def _methods(order: OrderOut, quote: Quote) -> dict[str, str]:
    """Kept lines keep their way; added ones go the order's way."""
    kept = {line.sku: line.delivery_method for line in order.lines}
    return {line.sku: kept.get(line.sku, order.delivery_method) for line in quote.lines}


def _shipping(order: OrderOut) -> ShippingChoice:
    shipping = order.shipping
    address = shipping.get("address")
    return ShippingChoice(method=shipping.get("method", order.delivery_method),
                          address=ShippingAddress.model_validate(address) if address else None, location=shipping.get("location"))


def _locations(app: App, uow: Uow, order: OrderOut, quote: Quote, held: dict[str, tuple[str | None, int]]) -> dict[str, str]:
    """Kept lines stay where they are reserved; new ones go where sourcing puts them (the order's store if it has one)."""
    fixed = order.location_id or order.pickup_location_id
    new = [WantedLine(line_id=line.sku, variant_id=line.variant_id, quantity=line.quantity, sku=line.sku) for line in quote.lines
           if held.get(line.variant_id, (None, 0))[0] is None]
    chosen: dict[str, str] = {}
    if new and fixed is None:
        channel_id = quote.channel_id
        candidates = inventory.shipping_candidates(uow, channel_id=channel_id, variant_ids=[w.variant_id for w in new])
        if not candidates:
            raise InvalidInput("This channel ships from no active location", code="no_shipping_location")
        plan = order_sourcing.ship_plan(uow, app.settings, new, candidates, address=order.shipping.get("address"))
        chosen = order_sourcing.sourced_from(plan, new, fallback_location_id=candidates[0].location_id).line_location
    return {line.variant_id: held.get(line.variant_id, (None, 0))[0] or chosen.get(line.variant_id) or str(fixed) for line in quote.lines}


def _reserve_added(app: App, uow: Uow, plan: _Plan) -> list[str]:
    held = {line.variant_id: line.quantity - line.cancelled_quantity for line in plan.order.lines}
    extra = [inventory.ReserveLine(variant_id=line.variant_id, location_id=str(line.location_id),
                                   quantity=line.quantity - held.get(line.variant_id, 0), sku=line.sku)
             for line in plan.lines if line.quantity > held.get(line.variant_id, 0)]
    if not extra:
        return []
    until = uow.clock.now() + timedelta(days=app.settings.order_reservation_days)
    return inventory.reserve_stock(uow, lines=extra, ref=inventory.Ref(ORDER, plan.order.id), expires_at=until)


def _apply(uow: Uow, plan: _Plan, *, actor: str) -> list[payments.ProviderRequest]:
    """The edit itself: lines swapped, removed units given back, and money no longer owed released (voids to send)."""
    row = orders.editable_order(uow, plan.order.id, version=plan.order.version)
    orders.replace_lines(uow, row, plan.lines, totals=order_totals(plan.quote.breakdown), pricing=pricing_snapshot(plan.quote.breakdown),
                         shipping={**plan.order.shipping, "total_minor": plan.quote.breakdown.shipping.total.minor}, actor=actor,
                         summary=plan.summary)
    for (variant_id, location_id), units in sorted(plan.reduced.items()):
        inventory.shrink_reservation(uow, ref=inventory.Ref(ORDER, plan.order.id), variant_id=variant_id, location_id=location_id, by=units,
                                     reason="order edited")
    if plan.difference.minor < 0:
        return payments.release_uncaptured(uow, order_id=plan.order.id, amount=-plan.difference)
    return []


def _send_voids(app: App, voids: Sequence[payments.ProviderRequest]) -> None:
    results = [payments.void(request, providers=app.payment_providers) for request in voids]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()


def _authorise_and_settle(app: App, plan: _Plan, *, new_ids: list[str], added: list[str], actor: str, version: int) -> None:
    with app.uow(read_only=True) as uow:
        requests = payments.external_authorizations(uow, plan.order.id)
    results = [payments.authorize(request, providers=app.payment_providers) for request in requests]
    with app.uow() as uow:
        outcome = payments.record_results(uow, results) if results else payments.payments_outcome(uow, plan.order.id)
        fresh = [p for p in outcome.payments if p.id in new_ids]
        if fresh and all(p.status in ("authorized", "captured") for p in fresh):
            _apply(uow, plan, actor=actor)
            uow.commit()
            return
        uow.commit()
    _undo(app, plan, new_ids=new_ids, added=added)
    refused = next((p for p in fresh if p.status not in ("authorized", "captured")), None)
    raise EditDeclined("The tenders for the difference were refused; the order is as it was",
                       reason=refused.failure_code if refused else "not_authorised")


def _undo(app: App, plan: _Plan, *, new_ids: list[str], added: list[str]) -> None:
    """A refused edit: the added units and the new tenders go back; the order's lines were never touched."""
    with app.uow() as uow:
        voids = payments.voids_for(uow, plan.order.id, payment_ids=new_ids)
        uow.commit()
    results = [payments.void(request, providers=app.payment_providers) for request in voids]
    with app.uow() as uow:
        if results:
            payments.record_results(uow, results)
        if added:
            inventory.release_reservations(uow, added, reason="order edit refused")
        payments.restore_local_tenders(uow, plan.order.id, payment_ids=new_ids)
        uow.commit()
