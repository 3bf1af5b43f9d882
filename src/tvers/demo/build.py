"""Loads the demo retailer into a database through the same services the API uses.

The retailer went live on Tvers `HISTORY_DAYS` ago: its catalog, stores and customers date from then, and the quarter
since then (stock movements, promotions, orders on every channel) is played through with a clock moved day by day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from tvers.bootstrap import Tvers
from tvers.catalog import service as catalog
from tvers.catalog.schemas import (
    MediaIn,
    PriceBookIn,
    PriceRowIn,
    ProductIn,
    TranslationIn,
    VariantIn,
)
from tvers.channels import api_keys
from tvers.channels import service as channels
from tvers.channels.access import Role
from tvers.channels.schemas import ApiKeyIn, ChannelIn, ChannelType
from tvers.demo import DEFAULT_ORDERS
from tvers.demo.catalog_data import DemoCatalog, DemoProduct, build_catalog
from tvers.demo.customers import load_customers
from tvers.demo.fulfilment import DemoFulfilment, FulfilmentHistory
from tvers.demo.offers import load_offers
from tvers.demo.order_plan import plan_orders
from tvers.demo.orders import DemoOrders, OrderHistory
from tvers.demo.returns import DemoReturns, ReturnHistory, categories_of, store_return_policies
from tvers.demo.stock import HISTORY_DAYS, load_locations, load_stock, product_popularity
from tvers.demo.stores import STORES, WAREHOUSES, pos_code
from tvers.kernel.clock import FixedClock

PRICE_BOOKS = (
    ("nok-retail", "Retail NOK", "NOK"),
    ("sek-retail", "Retail SEK", "SEK"),
    ("dkk-retail", "Retail DKK", "DKK"),
    ("eur-retail", "Retail EUR", "EUR"),
)

# (code, name, type, currency, price book, locale, country)
CHANNELS = (
    ("web-no", "Web shop Norway", ChannelType.WEB, "NOK", "nok-retail", "nb", "NO"),
    ("web-se", "Web shop Sweden", ChannelType.WEB, "SEK", "sek-retail", "sv", "SE"),
    ("web-dk", "Web shop Denmark", ChannelType.WEB, "DKK", "dkk-retail", "da", "DK"),
    ("web-fi", "Web shop Finland", ChannelType.WEB, "EUR", "eur-retail", "en", "FI"),
    ("app-no", "App Norway", ChannelType.APP, "NOK", "nok-retail", "nb", "NO"),
    ("app-se", "App Sweden", ChannelType.APP, "SEK", "sek-retail", "sv", "SE"),
    ("nordmarket-se", "Nordmarket marketplace", ChannelType.MARKETPLACE, "SEK", "sek-retail", "sv", "SE"),
    ("social-no", "Social shop Norway", ChannelType.SOCIAL, "NOK", "nok-retail", "nb", "NO"),
    ("callcenter-no", "Customer service Norway", ChannelType.CALL_CENTER, "NOK", "nok-retail", "nb", "NO"),
)


@dataclass(frozen=True)
class DemoSummary:
    admin_key: str
    products: int
    variants: int
    channels: int
    locations: int
    customers: int
    orders: DemoOrders
    fulfilment: DemoFulfilment
    returns: DemoReturns

    def describe(self) -> str:
        return (f"{self.products} products, {self.variants} variants, {self.channels} channels, 4 price books, "
                f"{self.locations} locations, {self.customers} customers, {self.orders.placed} orders in {HISTORY_DAYS} days")


def build_demo(tvers: Tvers, *, seed: int, log: Callable[[str], None] = lambda _m: None, orders: int = DEFAULT_ORDERS,
               products: int = 240, customers: int = 5000, stock_history: bool = True) -> DemoSummary:
    """The demo retailer, the same for the same seed and clock: `orders` orders over the last `HISTORY_DAYS` days.

    Without `stock_history` the stores keep their opening stock apart from what the orders take (a quicker build).
    """
    go_live = tvers.clock.now() - timedelta(days=HISTORY_DAYS)
    clock = FixedClock(go_live)
    past = Tvers(settings=tvers.settings, db=tvers.db, clock=clock, subscribers=tvers.subscribers)
    data = build_catalog(seed, product_count=products)
    log(f"building the demo catalog (seed {seed}): {len(data.products)} products, {data.variant_count} variants")
    _open_shop(past, data)
    people = load_customers(past, seed=seed, count=customers, log=log)
    load_offers(past, go_live=go_live)
    store_return_policies(past)
    plan = plan_orders(seed=seed, count=orders, go_live=go_live, shoppers=people.shoppers)
    end = go_live + timedelta(days=HISTORY_DAYS)
    fulfilment = FulfilmentHistory(past, clock=clock, seed=seed, end=end, log=log)
    history = OrderHistory(past, clock=clock, plan=plan, shoppers=people.shoppers, seed=seed, log=log, fulfilment=fulfilment)
    history.open(data, product_popularity(data, seed=seed))
    load_stock(tvers, data, seed=seed, log=log, start=go_live, catch_up=history.run_until, history=stock_history)
    placed = history.finish()
    log(f"orders: {placed.describe()}")
    fulfilled = fulfilment.finish()
    log(f"fulfilment: {fulfilled.describe()}")
    returned = ReturnHistory(past, clock=clock, seed=seed, end=end, log=log).run(categories_of(data))
    log(f"returns: {returned.describe()}")
    with tvers.uow() as uow:
        key = api_keys.create_api_key(uow, ApiKeyIn(name="demo admin", role=Role.ADMIN))
        uow.commit()
    return DemoSummary(
        admin_key=key.key,
        products=len(data.products),
        variants=data.variant_count,
        channels=len(CHANNELS) + len(STORES),
        locations=len(STORES) + len(WAREHOUSES),
        customers=people.created - people.merged,
        orders=placed,
        fulfilment=fulfilled,
        returns=returned,
    )


def _open_shop(tvers: Tvers, data: DemoCatalog) -> None:
    """Price books, channels, the catalog priced and published, locations and tills."""
    with tvers.uow() as uow:
        for code, name, currency in PRICE_BOOKS:
            catalog.create_price_book(uow, PriceBookIn(code=code, name=name, currency=currency, prices_include_vat=True))
        for code, name, kind, currency, book, locale, country in CHANNELS:
            channels.create_channel(
                uow, ChannelIn(code=code, name=name, type=kind, currency=currency, price_book=book, default_locale=locale, country=country)
            )
        uow.commit()
    product_ids = _load_products(tvers, data)
    _load_prices(tvers, data)
    load_locations(tvers)
    _publish(tvers, product_ids)


def _load_products(tvers: Tvers, data: DemoCatalog) -> list[str]:
    ids = []
    with tvers.uow() as uow:
        for product in data.products:
            ids.append(catalog.create_product(uow, _product_in(product)).id)
        uow.commit()
    return ids


def _product_in(product: DemoProduct) -> ProductIn:
    return ProductIn(
        handle=product.handle,
        title=product.title,
        description=product.description,
        brand=product.brand,
        category=product.category,
        tax_class=product.tax_class,
        tags=product.tags,  # type: ignore[arg-type]
        attributes=dict(product.attributes),
        status=product.status,  # type: ignore[arg-type]
        variants=[VariantIn(sku=v.sku, gtin=v.gtin13, options=v.options, weight_grams=v.weight_grams) for v in product.variants],
        media=[MediaIn(url=url, alt=product.title) for url in product.image_urls],
        translations={
            loc: TranslationIn(title=t.title, description=t.description, option_values=t.option_values)
            for loc, t in product.translations.items()
        },
    )


def _load_prices(tvers: Tvers, data: DemoCatalog) -> None:
    for code, _name, currency in PRICE_BOOKS:
        rows = [
            PriceRowIn(sku=v.sku, amount=v.prices[currency], compare_at=v.compare_at.get(currency))
            for p in data.products
            for v in p.variants
        ]
        with tvers.uow() as uow:
            for start in range(0, len(rows), 1000):
                catalog.bulk_upsert_prices(uow, code, rows[start : start + 1000])
            uow.commit()


def _publish(tvers: Tvers, product_ids: list[str]) -> None:
    with tvers.uow() as uow:
        for code in [code for code, *_ in CHANNELS] + [pos_code(store) for store in STORES]:  # a till sells the whole range
            channel_id = channels.channel_ref(uow, code).id
            # The marketplace gets a curated two thirds of the range, as marketplaces usually do.
            chosen = product_ids[::3] + product_ids[1::3] if code.startswith("nordmarket") else product_ids
            catalog.publish_many(uow, channel_id=channel_id, product_ids=chosen, is_published=True)
        uow.commit()
