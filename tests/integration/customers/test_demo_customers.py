"""The demo's customers: deterministic per seed, duplicates merged by the resolver while loading, ledgers consistent."""

from __future__ import annotations

from sqlalchemy import text

from tvers.catalog import service as catalog
from tvers.catalog.schemas import PriceBookIn
from tvers.channels import service as channels
from tvers.channels.schemas import ChannelIn
from tvers.customers import service as customers
from tvers.demo.build import CHANNELS, PRICE_BOOKS
from tvers.demo.customers import load_customers


def test_demo_customers_load_with_merges_and_consistent_ledgers(tvers):
    # given the demo's price books and channels
    with tvers.uow() as uow:
        for code, name, currency in PRICE_BOOKS:
            catalog.create_price_book(uow, PriceBookIn(code=code, name=name, currency=currency, prices_include_vat=True))
        for code, name, kind, currency, book, locale, country in CHANNELS:
            channels.create_channel(uow, ChannelIn(code=code, name=name, type=kind, currency=currency, price_book=book,
                                                   default_locale=locale, country=country))
        uow.commit()
    # when 400 demo customers are loaded
    result = load_customers(tvers, seed=42, count=400)
    # then the resolver merged the planted duplicates, and every balance agrees with its ledger
    assert (result.created, result.merged) == (400, 4)
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(text("SELECT COUNT(*) FROM customers WHERE status = 'merged'")) == 4
        assert uow.session.scalar(text("SELECT COUNT(DISTINCT city) FROM customer_addresses")) >= 8
        assert customers.check_points_ledgers(uow) == []
