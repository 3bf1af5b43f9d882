"""Helpers for returns tests: a Swedish store that takes returns, an order paid by card + gift card under a promotion,
shipped and delivered through the real fulfilment API, and readers of the ledgers a return moves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from support.api import bearer, make_key, ok
from support.checkout import APPROVE, Shop, card, make_shop, ship_to
from support.fulfilment import fulfilment_of, run_relay, walk
from tvers.bootstrap import Tvers
from tvers.channels.access import Role
from tvers.integrations.relay import Relay

REFUND_DECLINED = "4000000000005126"  # the test card whose refunds are declined (docs/payments.md)
TEN_OFF_SHOES = {"name": "10% off shoes", "benefit": {"kind": "percent_off", "percent": "10"}, "target": {"categories": ["shoes"]}}


@dataclass(frozen=True)
class Sold:
    shop: Shop
    order: dict[str, Any]
    customer_id: str
    gift_card_id: str
    stockholm: dict[str, str]  # store staff of the Swedish store


def add_swedish_store(tvers: Tvers, *, accepts_returns: bool = True, code: str = "stockholm") -> str:
    """A store of a Swedish POS channel (SEK), in Sweden; it takes returns unless told otherwise."""
    from tvers.catalog import service as catalog
    from tvers.catalog.schemas import PriceBookIn
    from tvers.channels import service as channels
    from tvers.channels.schemas import ChannelIn, ChannelType
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import Address, Capabilities, ChannelPoolIn, LocationIn, LocationType, PoolLocationIn

    with tvers.uow() as uow:
        channel = f"pos-{code}"
        if not [b for b in catalog.list_price_books(uow) if b.code == "sek"]:
            catalog.create_price_book(uow, PriceBookIn(code="sek", name="SEK", currency="SEK"))
        channels.create_channel(uow, ChannelIn(code=channel, name=channel, type=ChannelType.POS, currency="SEK", price_book="sek",
                                               default_locale="sv", country="SE"))
        location = inventory.create_location(uow, LocationIn(
            code=code, name=code.title(), type=LocationType.STORE, address=Address(city=code.title()), country="SE", latitude=59.33,
            longitude=18.06, time_zone="Europe/Stockholm", sourcing_priority=1,
            capabilities=Capabilities(ships=False, offers_pickup=True, offers_curbside=False, accepts_returns=accepts_returns),
            is_active=True))
        inventory.set_channel_pool(uow, channel, ChannelPoolIn(locations=[PoolLocationIn(location=code, ships_from=False, pickup=True)]))
        uow.commit()
    return location.id


def sell_and_deliver(client: TestClient, admin: dict[str, str], tvers: Tvers, *, quantity: int = 3, sku: str = "CO-3",
                     gift_card: str = "500.00", promotion: dict[str, Any] | None = None, card_number: str = APPROVE,
                     points: int | None = None) -> Sold:
    """A web order of `quantity` × `sku` paid by gift card + card under 10 % off shoes, shipped and delivered; points earned.
    `card_number`: a test card (`REFUND_DECLINED`: approved, its refunds declined). With `points`, that many loyalty points
    (worth 0.10 each) pay instead of the gift card."""
    shop = make_shop(tvers, warehouse_stock=10, store_stock=0)
    add_swedish_store(tvers)
    ok(client.post("/api/v1/promotions", headers=admin, json=promotion or TEN_OFF_SHOES))
    kari = ok(client.post("/api/v1/customers", headers=admin, json={"given_name": "Kari", "identities": [
        {"type": "email", "value": "kari@example.com"}]}))
    gift = ok(client.post("/api/v1/gift-cards", headers=admin, json={"amount": gift_card, "currency": "NOK"}))
    first_tender = {"tender": "gift_card", "code": gift["code"], "amount": gift_card, "currency": "NOK"}
    if points is not None:
        ok(client.post(f"/api/v1/customers/{kari['id']}/loyalty/adjustments", headers=admin, json={"points": points, "reason": "welcome"}))
        gift_card = f"{points / 10:.2f}"
        first_tender = {"tender": "loyalty_points", "points": points, "amount": gift_card, "currency": "NOK"}
    lines = [{"sku": sku, "quantity": quantity}]
    quote = ok(client.post("/api/v1/quotes", headers=admin, json={"channel": "web", "lines": lines,
                                                                   "shipping": {"method": "ship", "country": "NO"}}))
    card_part = _minor(quote["grand_total"]["amount"]) - _minor(gift_card)
    placed = ok(client.post("/api/v1/orders", headers={**admin, "Idempotency-Key": "returns-order"}, json={
        "channel": "web", "lines": lines, "delivery": ship_to(), "customer": {"id": kari["id"]},
        "tenders": [first_tender, card(card_number, f"{card_part / 100:.2f}")]}))
    assert placed["outcome"] == "confirmed", placed
    order = placed["order"]
    run_relay(tvers)
    task = next(t for t in fulfilment_of(client, admin, order["id"])["tasks"] if t["kind"] == "ship")
    walk(client, admin, task["id"], "accept", "pick", "pack")
    shipment = ok(client.post(f"/api/v1/fulfillment/tasks/{task['id']}/ship", headers=admin, json={"carrier": "posten"}))
    ok(client.post(f"/api/v1/shipments/{shipment['id']}/delivered", headers=admin))
    earn_points(tvers)
    stockholm = bearer(make_key(tvers, Role.STORE_STAFF, locations=["stockholm"]))
    return Sold(shop=shop, order=ok(client.get(f"/api/v1/orders/{order['id']}", headers=admin)), customer_id=kari["id"],
                gift_card_id=gift["id"], stockholm=stockholm)


def earn_points(tvers: Tvers) -> None:
    from tvers.customers import subscribers

    Relay(tvers.db, tvers.clock, subscribers.subscribers()).run_once()


def _minor(amount: str) -> int:
    return int(amount.replace(".", ""))


def payment_ledger(tvers: Tvers, order_id: str) -> dict[str, tuple[int, int]]:
    """tender → (captured, refunded) as the payments ledger sums its succeeded transactions."""
    from tvers.payments.models import Payment, PaymentTransaction

    with tvers.uow(read_only=True) as uow:
        found: dict[str, tuple[int, int]] = {}
        for payment in uow.session.scalars(select(Payment).where(Payment.order_id == order_id)):
            sums = dict(uow.session.execute(
                select(PaymentTransaction.kind, func.sum(PaymentTransaction.amount_minor))
                .where(PaymentTransaction.payment_id == payment.id, PaymentTransaction.status == "succeeded")
                .group_by(PaymentTransaction.kind)).all())
            found[payment.tender] = (int(sums.get("capture", 0)), int(sums.get("refund", 0)))
        return found


def movements(tvers: Tvers, location_id: str) -> list[tuple[str, int, str | None, str | None]]:
    """(kind, quantity, reference id, reason) of a location's stock movements, oldest first."""
    from tvers.inventory.models import Movement

    with tvers.uow(read_only=True) as uow:
        rows = uow.session.execute(select(Movement.kind, Movement.quantity, Movement.reference_id, Movement.reason)
                                   .where(Movement.location_id == location_id).order_by(Movement.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def state(tvers: Tvers) -> dict[str, Any]:
    """Everything a refused return must leave as it was: returns, stock, movements, payments, points, outbox."""
    from tvers.customers.models import GiftCard, PointsEntry
    from tvers.db.outbox import OutboxEvent
    from tvers.inventory.models import Movement, StockLevel
    from tvers.payments.models import Payment, PaymentTransaction
    from tvers.returns.models import Return, ReturnLineRow

    with tvers.uow(read_only=True) as uow:
        s = uow.session
        return {
            "returns": sorted(s.execute(select(Return.id, Return.status)).all()),
            "return_lines": s.scalar(select(func.count()).select_from(ReturnLineRow)),
            "levels": sorted(s.execute(select(StockLevel.variant_id, StockLevel.location_id, StockLevel.on_hand,
                                              StockLevel.reserved)).all()),
            "movements": s.scalar(select(func.count()).select_from(Movement)),
            "payments": sorted(s.execute(select(Payment.id, Payment.captured_minor, Payment.refunded_minor)).all()),
            "transactions": s.scalar(select(func.count()).select_from(PaymentTransaction)),
            "gift_cards": sorted(s.execute(select(GiftCard.id, GiftCard.balance_minor)).all()),
            "points": s.scalar(select(func.count()).select_from(PointsEntry)),
            "outbox": s.scalar(select(func.count()).select_from(OutboxEvent)),
        }


def post_at(base: str, path: str, headers: dict[str, str], body: dict[str, Any], start_at: float, out: Any) -> None:
    """POST at a shared instant (a spawned process of a race test); report (status, body)."""
    import time

    import httpx

    time.sleep(max(0.0, start_at - time.time()))
    response = httpx.post(f"{base}{path}", json=body, headers=headers, timeout=60)
    out.put((response.status_code, response.json()))


def outbox_types(tvers: Tvers) -> list[str]:
    from tvers.db.outbox import OutboxEvent

    with tvers.uow(read_only=True) as uow:
        return list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)))


def takes_returns(client: TestClient, admin: dict[str, str], code: str) -> None:
    """The location `code` accepts returns from now on (through the API, with its version)."""
    location = ok(client.get(f"/api/v1/locations/{code}", headers=admin))
    ok(client.patch(f"/api/v1/locations/{code}", headers=admin, json={
        "version": location["version"], "capabilities": {**location["capabilities"], "accepts_returns": True}}))
