"""Helpers for customer tests: channels to arrive from, and counts that prove nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from tvers.bootstrap import Tvers
from tvers.catalog import service as catalog
from tvers.catalog.schemas import PriceBookIn, ProductIn, VariantIn
from tvers.channels import service as channels
from tvers.channels.schemas import ChannelIn, ChannelType
from tvers.customers import service as customers
from tvers.customers.schemas import ArrivalIn, CustomerIn, IdentityIn, ResolutionOut
from tvers.db.outbox import OutboxEvent

CHANNELS = (("web-no", ChannelType.WEB, "NOK", "nok", "nb", "NO"), ("app-no", ChannelType.APP, "NOK", "nok", "nb", "NO"),
            ("pos-oslo", ChannelType.POS, "NOK", "nok", "nb", "NO"), ("web-se", ChannelType.WEB, "SEK", "sek", "sv", "SE"),
            ("nordmarket-se", ChannelType.MARKETPLACE, "SEK", "sek", "sv", "SE"))
TABLES = ("customers", "customer_identities", "customer_addresses", "customer_consents", "customer_merges", "loyalty_points",
          "loyalty_accounts", "gift_cards", "gift_card_entries", "store_credit_entries", "carts", "cart_lines", "outbox")


def seed_channels(tvers: Tvers, *, with_products: bool = False) -> None:
    with tvers.uow() as uow:
        for code, currency in (("nok", "NOK"), ("sek", "SEK")):
            catalog.create_price_book(uow, PriceBookIn(code=code, name=code.upper(), currency=currency, prices_include_vat=True))
        for code, kind, currency, book, locale, country in CHANNELS:
            channels.create_channel(uow, ChannelIn(code=code, name=code, type=kind, currency=currency, price_book=book,
                                                   default_locale=locale, country=country))
        if with_products:
            catalog.create_product(uow, ProductIn(handle="trolltind-jacket", title="Trolltind Jacket", status="active",  # type: ignore[arg-type]
                                                  variants=[VariantIn(sku="TT-RED-M"), VariantIn(sku="TT-RED-L"),
                                                            VariantIn(sku="TT-BLU-M")]))
        uow.commit()


def ident(kind: str, value: str, *, verified: bool = False) -> IdentityIn:
    return IdentityIn(type=kind, value=value, is_verified=verified)  # type: ignore[arg-type]


def create(tvers: Tvers, *identities: IdentityIn, channel: str | None = "web-no", **profile: Any) -> str:
    with tvers.uow() as uow:
        created = customers.create_customer(uow, CustomerIn(channel=channel, identities=list(identities), **profile))
        uow.commit()
    return created.id


def resolve(tvers: Tvers, *identities: IdentityIn, channel: str | None = "web-no", kind: str = "order", **extra: Any) -> ResolutionOut:
    with tvers.uow() as uow:
        result = customers.resolve(uow, ArrivalIn(kind=kind, channel=channel, identities=list(identities), **extra))  # type: ignore[arg-type]
        uow.commit()
    return result


def counts(tvers: Tvers) -> dict[str, int]:
    """Row counts of every customer table and the outbox: equal before and after means nothing happened."""
    with tvers.uow(read_only=True) as uow:
        found = {t: uow.session.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) or 0 for t in TABLES}
        found["outbox"] = uow.session.scalar(select(func.count()).select_from(OutboxEvent)) or 0
    return found
