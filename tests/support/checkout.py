"""A shop ready to check out, made through the services: channels (web, POS, marketplace), priced and listed
products, a warehouse and a store with stock, channel pools. Also readers for "nothing changed" assertions and the
functions concurrency tests start in spawned processes (importable by module name).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tvers.bootstrap import Tvers

APPROVE, DECLINE, ERROR, THREE_DS = "4242424242424242", "4000000000000002", "4000000000000119", "4000000000003220"


@dataclass(frozen=True)
class Shop:
    skus: tuple[str, ...]  # priced 100.00, 250.00, 399.50 … NOK incl. VAT
    variant_ids: dict[str, str]
    locations: dict[str, str]  # code → id: "oslo-dc" (warehouse, ships), "bergen" (store, pickup + curbside)
    channels: tuple[str, ...]  # "web", "pos-bergen", "market"


PRICES = (Decimal("100.00"), Decimal("250.00"), Decimal("399.50"), Decimal("1299.00"))


def make_shop(tvers: Tvers, *, warehouse_stock: int = 10, store_stock: int = 3, skus: int = 4, store_ships: bool = True) -> Shop:
    """Everything a checkout test needs, committed; SKU `CO-1` … `CO-N`."""
    from tvers.catalog import service as catalog
    from tvers.catalog.schemas import ListingIn, PriceBookIn, PriceRowIn, ProductIn, ProductStatus, VariantIn
    from tvers.channels import service as channels
    from tvers.channels.schemas import ChannelIn, ChannelType
    from tvers.inventory import service as inventory
    from tvers.inventory.schemas import (
        Address,
        Capabilities,
        ChannelPoolIn,
        LocationIn,
        LocationType,
        PoolLocationIn,
        ReceiveIn,
        StockLineIn,
    )
    from tvers.quoting import service as quoting
    from tvers.quoting.schemas import ShippingRateIn, ValueBandIn

    codes = tuple(f"CO-{i}" for i in range(1, skus + 1))
    with tvers.uow() as uow:
        catalog.create_price_book(uow, PriceBookIn(code="nok", name="NOK", currency="NOK"))
        made = {}
        for code, kind in (("web", ChannelType.WEB), ("pos-bergen", ChannelType.POS), ("market", ChannelType.MARKETPLACE)):
            made[code] = channels.create_channel(uow, ChannelIn(code=code, name=code.title(), type=kind, currency="NOK", price_book="nok",
                                                                default_locale="nb", country="NO"))
        product = catalog.create_product(uow, ProductIn(handle="checkout-product", title="Fjellstøvel", status=ProductStatus.ACTIVE,
                                                        category="shoes/hiking", variants=[VariantIn(sku=s) for s in codes]))
        catalog.bulk_upsert_prices(uow, "nok", [PriceRowIn(sku=s, amount=PRICES[i % len(PRICES)]) for i, s in enumerate(codes)])
        for channel in made.values():
            catalog.set_listing(uow, channel_id=channel.id, product_id=product.id, data=ListingIn(is_published=True))
        locations = {}
        for i, (code, kind, pickup) in enumerate((("oslo-dc", LocationType.WAREHOUSE, False), ("bergen", LocationType.STORE, True))):
            locations[code] = inventory.create_location(uow, LocationIn(
                code=code, name=code.title(), type=kind, address=Address(city=code.title()), country="NO", latitude=59.9 - i,
                longitude=10.7 - i * 5, time_zone="Europe/Oslo", sourcing_priority=10 if kind is LocationType.WAREHOUSE else 5,
                capabilities=Capabilities(ships=True, offers_pickup=pickup, offers_curbside=pickup), is_active=True)).id
        for channel in made:
            inventory.set_channel_pool(uow, channel, ChannelPoolIn(locations=[
                PoolLocationIn(location="oslo-dc", ships_from=True, pickup=False),
                PoolLocationIn(location="bergen", ships_from=store_ships, pickup=True)]))
        # shipping in Norway: 79.00, free from 1,500.00 of goods
        quoting.create_shipping_rate(uow, ShippingRateIn(country="NO", currency="NOK", value_bands=[ValueBandIn(min_value=Decimal(0),
                                                          price=Decimal("79.00"))], free_from=Decimal("1500.00")))
        for code, units in (("oslo-dc", warehouse_stock), ("bergen", store_stock)):
            if units:
                inventory.receive(uow, ReceiveIn(location=code, lines=[StockLineIn(sku=s, quantity=units) for s in codes]), actor="test")
        uow.commit()
    return Shop(skus=codes, variant_ids={v.sku: v.id for v in product.variants}, locations=locations, channels=tuple(made))


def card(number: str = APPROVE, amount: str = "0", currency: str = "NOK") -> dict[str, Any]:
    return {"tender": "test_card", "card_number": number, "amount": amount, "currency": currency}


def ship_to(country: str = "NO") -> dict[str, Any]:
    return {"method": "ship", "address": {"name": "Kari Nordmann", "lines": ["Storgata 1"], "postal_code": "0155", "city": "Oslo",
                                          "country": country}}


# Readers: what the database holds, for "nothing changed" assertions.

def ledger_state(tvers: Tvers) -> dict[str, Any]:
    """Stock levels, active reservations, gift-card and store-credit balances, payments and outbox size."""
    from sqlalchemy import func, select

    from tvers.customers.models import GiftCard, StoreCreditAccount
    from tvers.db.outbox import OutboxEvent
    from tvers.inventory.models import Reservation, StockLevel
    from tvers.payments.models import Payment

    with tvers.uow(read_only=True) as uow:
        session = uow.session
        return {
            "levels": sorted(session.execute(select(StockLevel.variant_id, StockLevel.location_id, StockLevel.on_hand,
                                                    StockLevel.reserved)).all()),
            "active_reservations": session.scalar(select(func.count()).select_from(Reservation).where(Reservation.status == "active")),
            "gift_cards": sorted(session.execute(select(GiftCard.id, GiftCard.balance_minor)).all()),
            "store_credit": sorted(session.execute(select(StoreCreditAccount.customer_id, StoreCreditAccount.currency,
                                                          StoreCreditAccount.balance_minor)).all()),
            "payments": session.scalar(select(func.count()).select_from(Payment)),
            "outbox": session.scalar(select(func.count()).select_from(OutboxEvent)),
        }


# Run in spawned processes by the concurrency tests.

def crash_during_checkout(database_url: str, body: dict[str, Any], after: str, out: Any) -> None:
    """Run checkout step 1 (and step 2 when `after` is "step2"), report the order id, then die as a crash would: SIGKILL."""
    import os
    import signal

    from tvers.bootstrap import build
    from tvers.settings import Settings
    from tvers.workflows import checkout
    from tvers.workflows.checkout_schemas import DirectOrderIn

    app = build(Settings(database_url=database_url), subscribers=())
    data = DirectOrderIn.model_validate(body)
    caller = checkout.Caller(actor="crash-test", checkout_key=f"crash-{after}")
    order_id = checkout.open_order(app, data, channel=str(data.channel), number=checkout.take_number(app, str(data.channel)),
                                   caller=caller)
    if after == "step2":
        checkout.authorize_order(app, order_id)
    out.put(order_id)
    out.close()
    out.join_thread()  # the queue's feeder thread must deliver before the process dies
    os.kill(os.getpid(), signal.SIGKILL)


def post_order_at(base: str, api_key: str, body: dict[str, Any], idempotency_key: str, start_at: float, out: Any) -> None:
    """POST one direct order at a shared instant; report (status, body)."""
    import time

    import httpx

    time.sleep(max(0.0, start_at - time.time()))
    response = httpx.post(f"{base}/api/v1/orders", json=body, timeout=60,
                          headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": idempotency_key})
    out.put((response.status_code, response.json()))
