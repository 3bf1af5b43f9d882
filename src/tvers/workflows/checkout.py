"""Checkout: one workflow for every channel, in three steps with compensation (docs/checkout.md).

Step 1 (one transaction): quote, source, order `pending_payment`, reservations, coupon use, payments with
local tenders debited. Step 2 (no transaction): external authorisations, keyed by payment. Step 3 (one
transaction): results recorded; the order is confirmed, or everything of step 1 is undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from tvers.carts import service as carts
from tvers.channels import service as channels
from tvers.customers import service as customers
from tvers.customers.identity_rules import IdentityType
from tvers.customers.schemas import ArrivalIn, ArrivalKind
from tvers.db.uow import Uow
from tvers.fulfillment.sourcing import Allocation, Plan, WantedLine
from tvers.inventory import service as inventory
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.money import Money
from tvers.orders import service as orders
from tvers.orders.lifecycle import OrderStatus
from tvers.orders.schemas import NewOrder, OrderOut
from tvers.payments import service as payments
from tvers.pricing.errors import EmptyCart
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import Quote, QuoteIn, QuoteLineIn, ShippingAddress, ShippingChoice
from tvers.workflows import order_sourcing
from tvers.workflows.app import App
from tvers.workflows.checkout_schemas import CartCheckoutIn, CheckoutBase, CheckoutOut, DeliveryIn, DeliveryMethod, DirectOrderIn
from tvers.workflows.order_snapshot import new_order_lines, order_totals, pricing_snapshot, shipping_snapshot

ORDER = "order"


@dataclass(frozen=True)
class Caller:
    """Who checks out: the actor stamped on history, the Idempotency-Key, an integration's own channel."""

    actor: str
    checkout_key: str
    channel: str | None = None
    releases: inventory.Ref | None = None  # stock held for this order elsewhere (an exchange's replacement), freed as it reserves


def checkout_cart(app: App, data: CartCheckoutIn, *, caller: Caller) -> CheckoutOut:
    return _checkout(app, data, caller=caller)


def place_direct_order(app: App, data: DirectOrderIn, *, caller: Caller) -> CheckoutOut:
    return _checkout(app, data, caller=caller)


def _checkout(app: App, data: CartCheckoutIn | DirectOrderIn, *, caller: Caller) -> CheckoutOut:
    channel = _channel_code(data, caller)
    cart_id = data.cart_id if isinstance(data, CartCheckoutIn) else None
    external_id = data.external_id if isinstance(data, DirectOrderIn) else None
    number, found = _number_unless_ordered(app, channel=channel, checkout_key=caller.checkout_key, cart_id=cart_id,
                                           external_id=external_id)
    if found is not None:  # a retry, or the cart was already ordered: the order it made, never a second one
        return order_state(app, found)
    assert number is not None
    try:
        opened = _open_order(app, data, channel=channel, number=number, caller=caller)
    except IntegrityError:  # a concurrent twin (same key, cart or external id) committed first
        found = _existing(app, channel=channel, checkout_key=caller.checkout_key, cart_id=cart_id, external_id=external_id)
        if found is None:
            raise
        return order_state(app, found)
    # Step 2, no transaction open: the authorisations step 1 decided (what `authorize_order` would read back).
    results = [payments.authorize(request, providers=app.payment_providers) for request in opened.payments.requests]
    done = _finish_approved(app, opened, results, actor=caller.actor, carries_out=data.carries_out())
    return done if done is not None else finish(app, opened.order.id, results, actor=caller.actor)


def _number_unless_ordered(app: App, **keys: str | None) -> tuple[str | None, str | None]:
    """(the next order number, None), or (None, the order a retry already made): one statement in the common case."""
    channel = str(keys.pop("channel"))
    with app.uow() as uow:
        number = orders.next_order_number_unless_ordered(uow, channel, **keys)
        if number is None:
            found = orders.existing_order_id(uow, channel=channel, **keys)
            if found is not None:
                return None, found
            channels.channel_ref(uow, channel)  # an unknown channel is a 404, not a counter
            number = orders.next_order_number(uow, channel)  # the channel's first order
        uow.commit()
    return number, None


def _channel_code(data: CheckoutBase, caller: Caller) -> str:
    channel = data.channel or caller.channel
    if channel is None:
        message = "say which channel the order is placed on"
        raise InvalidInput(message, fields=[FieldError("channel", message, "required")])
    return channel


def _existing(app: App, **keys: str | None) -> str | None:
    with app.uow(read_only=True) as uow:
        return orders.existing_order_id(uow, channel=str(keys.pop("channel")), **keys)


def take_number(app: App, channel: str) -> str:
    """A short transaction of its own, so concurrent checkouts do not queue behind the counter row."""
    with app.uow() as uow:
        channels.channel_ref(uow, channel)  # an unknown channel is a 404, not a counter
        number = orders.next_order_number(uow, channel)
        uow.commit()
    return number


def open_order(app: App, data: CartCheckoutIn | DirectOrderIn, *, channel: str, number: str, caller: Caller) -> str:
    """Step 1: everything that must hold together, in one transaction."""
    return _open_order(app, data, channel=channel, number=number, caller=caller).order.id


@dataclass(frozen=True)
class _Opened:
    """What step 1 wrote, kept for steps 2 and 3 of the same checkout."""

    order: orders.PlacedOrder
    payments: payments.OpenedPayments


def _open_order(app: App, data: CartCheckoutIn | DirectOrderIn, *, channel: str, number: str, caller: Caller) -> _Opened:
    with app.uow() as uow:
        ref = channels.channel_ref(uow, channel)
        if caller.releases is not None:  # freed in the transaction that reserves again: no moment when another sale can take it
            inventory.release_reference(uow, caller.releases, reason="ordered")
        customer_id = _customer(uow, data, channel=channel, region=ref.country) or _card_holder(app, uow, data)
        quote = quoting.quote(uow, quote_in(uow, data, channel=channel, customer_id=customer_id))
        providers = app.payment_providers
        payments.check_tenders(data.tenders, total=quote.grand_total, providers=providers)
        sourced = _source(app, uow, data, quote, channel_id=ref.id)
        now = uow.clock.now()
        placed = orders.place_order(uow, NewOrder(
            channel=channel, channel_type=ref.type.value, source=_source_kind(data), currency=quote.breakdown.currency,
            prices_include_vat=quote.breakdown.prices_include_vat, tax_country=quote.breakdown.tax_country,
            delivery_method=data.delivery.method.value, totals=order_totals(quote.breakdown),
            lines=new_order_lines(quote, sourced.line_location, methods=_line_methods(data, quote)), sourcing=sourced.snapshot,
            placed_by=caller.actor,
            checkout_deadline_at=now + timedelta(seconds=app.settings.checkout_deadline_seconds), customer_id=customer_id,
            cart_id=getattr(data, "cart_id", None), external_id=getattr(data, "external_id", None), checkout_key=caller.checkout_key,
            pickup_location_id=sourced.pickup_location_id, location_id=sourced.till_location_id,
            shipping=shipping_snapshot(quote.breakdown, charged_delivery(data, [ln.sku for ln in quote.lines])),
            pricing=pricing_snapshot(quote.breakdown),
            coupon_codes=tuple(quote.breakdown.consumed_coupons), contact=data.contact.model_dump(exclude_none=True),
        ), number=number)
        order_id = placed.id
        skus = {line.variant_id: line.sku for line in quote.lines}
        inventory.reserve_stock(uow, lines=[
            inventory.ReserveLine(variant_id=variant_id, location_id=location_id, quantity=quantity, sku=skus[variant_id])
            for variant_id, location_id, quantity in sourced.reserve
        ], ref=inventory.Ref(ORDER, order_id), expires_at=now + timedelta(seconds=app.settings.checkout_reservation_seconds),
            channel_id=ref.id)
        quoting.record_coupon_use(uow, quote=quote, order_id=order_id, customer_id=customer_id)
        opened = payments.open_checkout_payments(uow, order_id=order_id, customer_id=customer_id, channel=channel,
                                                 tenders=data.tenders, total=quote.grand_total, providers=providers)
        if isinstance(data, CartCheckoutIn):
            carts.convert_cart(uow, data.cart_id)
        uow.commit()
    return _Opened(order=placed, payments=opened)


def _customer(uow: Uow, data: CheckoutBase, *, channel: str, region: str) -> str | None:
    """The profile the order belongs to: the one named, or the one its identities resolve to (made if new)."""
    if data.customer is None:
        return None
    if data.customer.id is not None:
        return customers.active_customer_id(uow, data.customer.id, field="customer.id")
    if not data.customer.identities:
        return None
    resolution = customers.resolve(uow, ArrivalIn(kind=ArrivalKind.ORDER, channel=channel, region=region,
                                                  identities=data.customer.identities))
    return resolution.customer_id


def _card_holder(app: App, uow: Uow, data: CheckoutBase) -> str | None:
    """No customer named: the one whose card this is, if a card of theirs was seen before on any channel."""
    if data.customer is not None:
        return None
    for fingerprint in payments.card_fingerprints(data.tenders, providers=app.payment_providers):
        holder = customers.lookup_customer_id(uow, IdentityType.PAYMENT_CARD_FINGERPRINT, fingerprint)
        if holder is not None:
            return holder
    return None


def quote_in(uow: Uow, data: CartCheckoutIn | DirectOrderIn, *, channel: str, customer_id: str | None) -> QuoteIn:
    if isinstance(data, CartCheckoutIn):
        cart = carts.get_cart(uow, data.cart_id)
        lines = [QuoteLineIn(sku=line.sku, quantity=line.quantity) for line in cart.lines]
        if not lines:
            raise EmptyCart("The cart has no lines", fields=[FieldError("cart_id", "the cart is empty", EmptyCart.code)])
        customer_id = customer_id or cart.customer_id
    else:
        lines = [QuoteLineIn(sku=line.sku, quantity=line.quantity) for line in data.lines]
    return QuoteIn(channel=channel, lines=lines, customer_id=customer_id, coupon_codes=list(data.coupon_codes),
                   shipping=shipping_choice(charged_delivery(data, [line.sku for line in lines])))


def shipping_choice(delivery: DeliveryIn) -> ShippingChoice:
    address = ShippingAddress.model_validate(delivery.address.model_dump()) if delivery.address else None
    return ShippingChoice(method=delivery.method.value, address=address, location=delivery.location)


def charged_delivery(data: CheckoutBase, skus: list[str]) -> DeliveryIn:
    """The delivery the order is charged for: shipping when any line ships (priced on the whole order), else the first line's way."""
    ways = [data.delivery_of(sku) for sku in skus] or [data.delivery]
    return next((way for way in ways if way.method is DeliveryMethod.SHIP), ways[0])


def _source(app: App, uow: Uow, data: CheckoutBase, quote: Quote, *, channel_id: str) -> order_sourcing.Sourced:
    """Where each line is reserved, per way it is delivered: sourcing (docs/fulfilment.md), or the till's own store."""
    skus = {line.sku for line in quote.lines}
    for index, way in enumerate(data.line_deliveries):
        if way.sku not in skus:
            message = f"{way.sku} is not a line of this order"
            raise InvalidInput(message, fields=[FieldError(f"line_deliveries.{index}.sku", message, "not_a_line")])
    groups: dict[str, list[WantedLine]] = {}
    for line in quote.lines:
        groups.setdefault(data.delivery_of(line.sku).method.value, []).append(
            WantedLine(line_id=line.sku, variant_id=line.variant_id, quantity=line.quantity, sku=line.sku))
    parts = [source_way(app, uow, data.delivery_of(wanted[0].sku), wanted, channel_id=channel_id) for wanted in groups.values()]
    return order_sourcing.merged(parts)


def source_way(app: App, uow: Uow, way: DeliveryIn, wanted: list[WantedLine], *, channel_id: str) -> order_sourcing.Sourced:
    variant_ids = [line.variant_id for line in wanted]
    method, location = way.method, way.location
    if method is DeliveryMethod.SHIP:
        candidates = inventory.shipping_candidates(uow, channel_id=channel_id, variant_ids=variant_ids)
        if not candidates:
            raise InvalidInput("This channel ships from no active location", code="no_shipping_location")
        address = way.address.model_dump() if way.address else None
        plan = order_sourcing.ship_plan(uow, app.settings, wanted, candidates, address=address)
        return order_sourcing.sourced_from(plan, wanted, fallback_location_id=candidates[0].location_id)
    store = order_sourcing.checkout_store(uow, method=method.value, code=str(location), channel_id=channel_id, variant_ids=variant_ids)
    if method is DeliveryMethod.CARRY_OUT:  # the customer takes it from this store's shelf, or not at all
        plan = Plan(allocations=tuple(Allocation(line_id=w.line_id, variant_id=w.variant_id, location_id=store.location_id, code=store.code,
                                                 quantity=w.quantity) for w in wanted),
                    explanation=f"{store.name}: carried out at the till")
        return order_sourcing.sourced_from(plan, wanted, fallback_location_id=store.location_id, till_location_id=store.location_id)
    plan = order_sourcing.pickup_plan(uow, app.settings, wanted, store, channel_id=channel_id)
    return order_sourcing.sourced_from(plan, wanted, fallback_location_id=store.location_id, pickup_location_id=store.location_id)


def _source_kind(data: CheckoutBase) -> str:
    if isinstance(data, CartCheckoutIn):
        return "cart"
    return "marketplace" if getattr(data, "external_id", None) else "direct"


def _line_methods(data: CheckoutBase, quote: Quote) -> dict[str, str]:
    return {line.sku: data.delivery_of(line.sku).method.value for line in quote.lines}


def authorize_order(app: App, order_id: str) -> list[payments.ProviderResult]:
    """Step 2, with no transaction open: ask each external provider, by the payment's idempotency key."""
    with app.uow(read_only=True) as uow:
        requests = payments.external_authorizations(uow, order_id)
    return [payments.authorize(request, providers=app.payment_providers) for request in requests]


def finish(app: App, order_id: str, results: Sequence[payments.ProviderResult], *, actor: str,
           give_up_waiting: bool = False) -> CheckoutOut:
    """Step 3: record what the providers said; confirm the order, or undo step 1 when a tender failed."""
    with app.uow() as uow:
        order = orders.get_order(uow, order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:  # finished already (the sweep and a slow client may meet here)
            return order_state(app, order_id)
        outcome = payments.record_results(uow, results) if results else payments.payments_outcome(uow, order_id)
        failure = _failure(outcome)
        if failure is None and (outcome.requires_action or outcome.is_pending) and give_up_waiting:
            failure = "the shopper did not complete the payment in time"
        if failure is None and outcome.is_authorized:
            failure = _confirm(app, uow, order_id, actor=actor, lines=len(order.lines))
        uow.commit()
    if failure is not None:
        compensate(app, order_id, reason=failure, actor=actor)
    elif any(line.delivery_method == DeliveryMethod.CARRY_OUT for line in order.lines) and outcome.is_authorized:
        hand_over(app, order_id, actor=actor)
    return order_state(app, order_id)


def _finish_approved(app: App, opened: _Opened, results: Sequence[payments.ProviderResult], *, actor: str,
                     carries_out: bool) -> CheckoutOut | None:
    """Step 3 when every tender is external and approved (a web shop's card): `finish` from what steps 1 and 2 know.

    The same writes as `finish` (results, held stock, confirmation, `order.placed`) without reading the order and its
    payments back, and the answer `order_state` would read after commit. None when anything else happened (a decline, 3-D
    Secure, a local tender, a carry-out, stock that ran out, an order changed meanwhile): `finish` then does it all.
    """
    if carries_out:
        return None
    with app.uow() as uow:
        outcome = payments.record_checkout_authorizations(uow, opened.payments, results)
        if outcome is None:
            return None
        if not outcome.is_authorized:  # recorded meanwhile by the sweep, and not authorised: `finish` decides
            uow.commit()
            return None
        until = uow.clock.now() + timedelta(days=app.settings.order_reservation_days)
        if inventory.hold_reservations_until(uow, inventory.Ref(ORDER, opened.order.id), expires_at=until) < len(opened.order.line_ids):
            uow.commit()  # the results stay recorded; `finish` fails the order and gives everything back
            return None
        order = orders.confirm_placed_order(uow, opened.order, actor=actor)
        if order is None:  # changed meanwhile: undo this and let `finish` read what happened
            uow.rollback()
            return None
        uow.commit()
    return CheckoutOut(outcome="confirmed", order=order, payments=list(outcome.payments), next_action=None)


def _failure(outcome: payments.PaymentsOutcome) -> str | None:
    failed = next((p for p in outcome.payments if p.status == "failed"), None)
    if failed is None:
        return None
    return f"{failed.tender} {failed.failure_code or 'failed'}: {failed.failure_message or 'the payment was refused'}"


def _confirm(app: App, uow: Uow, order_id: str, *, actor: str, lines: int) -> str | None:
    """Confirm, and keep the stock until fulfilment; reservations that ran out (a very late finish) fail the order instead."""
    until = uow.clock.now() + timedelta(days=app.settings.order_reservation_days)
    if inventory.hold_reservations_until(uow, inventory.Ref(ORDER, order_id), expires_at=until) < lines:
        return "the stock held for this checkout ran out before payment completed"
    orders.confirm_order(uow, order_id, actor=actor)
    return None


def compensate(app: App, order_id: str, *, reason: str, actor: str) -> None:
    """Undo step 1: void authorisations (no transaction open), then give back stock, tenders and coupon uses together."""
    with app.uow() as uow:  # deciding a void reserves its amount and writes its pending transaction
        voids = payments.voids_for(uow, order_id)
        uow.commit()
    results = [payments.void(request, providers=app.payment_providers) for request in voids]
    with app.uow() as uow:
        order = orders.get_order(uow, order_id)
        if results:
            payments.record_results(uow, results)
        if order.status == OrderStatus.PENDING_PAYMENT:  # the sweep and a slow client may both get here; undo once
            inventory.release_reference(uow, inventory.Ref(ORDER, order_id), reason="checkout failed")
            payments.restore_local_tenders(uow, order_id)
            quoting.release_coupon_use(uow, order_id)
            orders.fail_order_payment(uow, order_id, actor=actor, reason=reason)
        uow.commit()


def hand_over(app: App, order_id: str, *, actor: str) -> None:
    """A carry-out sale: capture what was authorised, take the goods off the shelf, complete the order.

    A basket with other lines (shipped, collected later) hands over only its carry-out lines and captures their value.
    """
    with app.uow(read_only=True) as uow:
        order = orders.get_order(uow, order_id)
    carried = {line.id: line.open_quantity for line in order.lines
               if line.delivery_method == DeliveryMethod.CARRY_OUT and line.open_quantity}
    if len(carried) < len([line for line in order.lines if line.open_quantity]):
        _hand_over_lines(app, order, carried, actor=actor)
        return
    with app.uow() as uow:  # deciding a capture reserves its amount: a write
        held = payments.uncaptured_for_order(uow, order_id, currency=orders.get_order(uow, order_id).currency)
        captures = payments.captures_for(uow, order_id=order_id, amount=held) if held.minor > 0 else []
        uow.commit()
    results = [payments.capture(request, providers=app.payment_providers) for request in captures]
    with app.uow() as uow:
        if results:
            payments.record_results(uow, results)
        for reservation in inventory.reservations_for(uow, inventory.Ref(ORDER, order_id)):
            if reservation.status == "active":
                inventory.consume_reservation(uow, reservation.id, actor=actor)
        orders.fulfil_on_the_spot(uow, order_id, actor=actor)
        uow.commit()


def _hand_over_lines(app: App, order: OrderOut, carried: dict[str, int], *, actor: str) -> None:
    with app.uow() as uow:
        for line in order.lines:
            if line.id in carried:
                inventory.consume_held(uow, inventory.Ref(ORDER, order.id), variant_id=line.variant_id, location_id=str(order.location_id),
                                       quantity=carried[line.id], actor=actor)
        value = orders.fulfil_units(uow, order.id, carried, actor=actor, reason="carried out at the till")
        captures = payments.captures_for(uow, order_id=order.id, amount=Money(value, order.currency)) if value > 0 else []
        uow.commit()
    results = [payments.capture(request, providers=app.payment_providers) for request in captures]
    if results:
        with app.uow() as uow:
            payments.record_results(uow, results)
            uow.commit()


def order_state(app: App, order_id: str) -> CheckoutOut:
    with app.uow(read_only=True) as uow:
        order = orders.get_order(uow, order_id)
        paid = payments.payments_for_order(uow, order_id)
    url = next((p.action_url for p in paid if p.action_url), None)
    action = {"type": "redirect_to_url", "url": url} if url else None
    outcome = {OrderStatus.PENDING_PAYMENT: "requires_action" if action else "pending",
               OrderStatus.PAYMENT_FAILED: "payment_failed"}.get(order.status, "confirmed")
    return CheckoutOut(outcome=outcome, order=order, payments=paid, next_action=action)


def complete_checkout(app: App, order_id: str, *, actor: str) -> CheckoutOut:
    """The shopper is back from their bank (3-D Secure): ask the providers again, by the same keys, and finish the order."""
    with app.uow(read_only=True) as uow:
        if orders.get_order(uow, order_id).status != OrderStatus.PENDING_PAYMENT:
            return order_state(app, order_id)
        unanswered = payments.pending_requests(uow, order_id)
    results = [payments.call_provider(request, providers=app.payment_providers) for request in unanswered]
    return finish(app, order_id, results, actor=actor)


def sweep_stalled_checkouts(app: App, *, limit: int = 100) -> int:
    """The worker's sweep: finish (same idempotency keys: at most one authorisation each) or undo checkouts a crash left behind."""
    with app.uow(read_only=True) as uow:
        stalled = orders.stalled_checkouts(uow, now=uow.clock.now(), limit=limit)
    for order_id in stalled:
        with app.uow(read_only=True) as uow:
            unanswered = payments.pending_requests(uow, order_id)
        results = [payments.call_provider(request, providers=app.payment_providers) for request in unanswered]
        finish(app, order_id, results, actor="worker", give_up_waiting=True)
    return len(stalled)
