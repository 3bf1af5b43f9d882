"""A small store to quote in, and counts that prove nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from tvers.bootstrap import Tvers
from tvers.catalog import service as catalog
from tvers.catalog.schemas import PriceBookIn, PriceRowIn, ProductIn, TaxClass, TranslationIn, VariantIn, VariantRowIn, VariantStatus
from tvers.channels import service as channels
from tvers.channels.schemas import ChannelIn, ChannelType
from tvers.customers import service as customers
from tvers.customers.schemas import CustomerIn
from tvers.quoting import service as quoting
from tvers.quoting.schemas import ShippingRateIn, WeightBandIn

# channel code, type, currency, price book, locale, country
CHANNELS = (("web-no", ChannelType.WEB, "NOK", "nok", "nb", "NO"), ("pos-oslo", ChannelType.POS, "NOK", "nok", "nb", "NO"),
            ("web-se", ChannelType.WEB, "SEK", "sek", "sv", "SE"))
# handle, category, tax class, [(sku, NOK price, weight g)], channels it is listed on
PRODUCTS = (
    ("fjell-shoe", "shoes/running", TaxClass.STANDARD, [("SHOE-42", "500.00", 800), ("SHOE-OLD", "450.00", 800)], ("web-no", "pos-oslo")),
    ("fjell-book", "books", TaxClass.STANDARD, [("BOOK-1", "200.00", 300)], ("web-no", "pos-oslo", "web-se")),
    ("fjell-shirt", "clothing/shirts", TaxClass.STANDARD, [("SHIRT-A", "300.00", 200), ("SHIRT-B", "100.00", 200)], ("web-no", "pos-oslo")),
    ("fjell-coffee", "food/coffee", TaxClass.REDUCED, [("COFFEE-1", "115.00", 500)], ("web-no", "pos-oslo")),
    ("store-only", "misc", TaxClass.STANDARD, [("STORE-1", "50.00", 100)], ("pos-oslo",)),
    ("no-price", "misc", TaxClass.STANDARD, [("NOPRICE-1", None, 100)], ("web-no",)),
)
TIER_SPEND = {"gold": 5_000_000, "silver": 1_500_000}  # NOK minor units of completed orders: 5000 and 1500 points
TABLES = ("promotions", "coupons", "coupon_redemptions", "shipping_rates", "outbox")


@dataclass(frozen=True)
class Store:
    product_ids: dict[str, str]
    customers: dict[str, str]  # "gold", "silver", "bronze" → customer id


def seed_store(tvers: Tvers) -> Store:
    """Channels, products (one archived variant, one unpriced, one store-only), customers in each tier, a NO rate."""
    with tvers.uow() as uow:
        for code, currency in (("nok", "NOK"), ("sek", "SEK")):
            catalog.create_price_book(uow, PriceBookIn(code=code, name=code.upper(), currency=currency, prices_include_vat=True))
        ids = {code: channels.create_channel(uow, ChannelIn(code=code, name=code, type=kind, currency=currency, price_book=book,
                                                             default_locale=locale, country=country)).id
               for code, kind, currency, book, locale, country in CHANNELS}
        product_ids = {handle: _product(uow, handle, category, tax, variants, [ids[c] for c in listed])
                       for handle, category, tax, variants, listed in PRODUCTS}
        archived = VariantRowIn(product="fjell-shoe", sku="SHOE-OLD", weight_grams=800, status=VariantStatus.ARCHIVED)
        catalog.bulk_upsert_variants(uow, [archived])
        catalog.bulk_upsert_prices(uow, "sek", [PriceRowIn(sku="BOOK-1", amount=Decimal("229.00"))])
        quoting.create_shipping_rate(uow, ShippingRateIn(country="NO", currency="NOK", free_from=Decimal("1500.00"),
                                                         weight_bands=[WeightBandIn(max_grams=5000, price=Decimal("99.00")),
                                                                       WeightBandIn(max_grams=20000, price=Decimal("199.00"))]))
        people = {tier: _customer(uow, tier) for tier in ("gold", "silver", "bronze")}
        uow.commit()
    return Store(product_ids=product_ids, customers=people)


def _product(uow: Any, handle: str, category: str, tax: TaxClass, variants: list[tuple[str, str | None, int]],
             channel_ids: list[str]) -> str:
    product = catalog.create_product(uow, ProductIn(
        handle=handle, title=handle.replace("-", " ").title(), status="active", category=category, tax_class=tax,  # type: ignore[arg-type]
        variants=[VariantIn(sku=sku, weight_grams=grams) for sku, _, grams in variants],
        translations={"nb": TranslationIn(title=f"{handle} (nb)")}))
    prices = [PriceRowIn(sku=sku, amount=Decimal(price)) for sku, price, _ in variants if price is not None]
    if prices:
        catalog.bulk_upsert_prices(uow, "nok", prices)
    for channel_id in channel_ids:
        catalog.publish_many(uow, channel_id=channel_id, product_ids=[product.id], is_published=True)
    return product.id


def _customer(uow: Any, tier: str) -> str:
    customer = customers.create_customer(uow, CustomerIn(channel="web-no", given_name=tier.title()))
    if tier in TIER_SPEND:
        customers.earn_for_order(uow, order_id=f"old-{tier}", customer_id=customer.id, channel="web-no", currency="NOK",
                                 amount_minor=TIER_SPEND[tier])
    return customer.id


def counts(tvers: Tvers) -> dict[str, int]:
    """Rows per quoting table and the outbox: equal before and after means nothing changed."""
    with tvers.uow(read_only=True) as uow:
        return {table: uow.session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0 for table in TABLES}


def coupon_uses(tvers: Tvers) -> dict[str, int]:
    with tvers.uow(read_only=True) as uow:
        return dict(uow.session.execute(text("SELECT code, uses FROM coupons ORDER BY code")).all())  # type: ignore[arg-type]
