"""What a channel sells: the variants behind a cart's SKUs, priced from the channel's book and named in its locale, in one query."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, bindparam, select

from tvers.catalog.models import ChannelListing, Price, PriceBook, Product, ProductTranslation, Variant
from tvers.catalog.schemas import ProductStatus, SaleVariant, VariantStatus
from tvers.db.uow import Uow
from tvers.kernel.locales import fallback_chain, normalise_locale


def sale_variants(uow: Uow, *, channel_id: str, price_book_id: str, skus: Collection[str], locale: str) -> dict[str, SaleVariant]:
    """SKU → the variant as this channel sells it, for the SKUs that exist (one statement, however many lines).

    Variants that exist but are archived, unlisted or unpriced are returned too, flagged, so the
    caller can say exactly what is wrong with each line.
    """
    chain = fallback_chain(normalise_locale(locale))
    params = {"channel_id": channel_id, "price_book_id": price_book_id, "skus": sorted(set(skus)), "chain": list(chain)}
    rows = uow.core_connection().execute(_SALE_VARIANTS, params).all()
    best: dict[str, Any] = {}
    for row in rows:  # up to one row per locale in the chain: keep the most specific translation
        current = best.get(row.sku)
        if current is None or _rank(row.locale, chain) < _rank(current.locale, chain):
            best[row.sku] = row
    return {sku: _sale_variant(row) for sku, row in best.items()}


def existing_product_ids(uow: Uow, product_ids: Collection[str]) -> set[str]:
    """The ids among `product_ids` that name a product (any status)."""
    if not product_ids:
        return set()
    return set(uow.session.scalars(select(Product.id).where(Product.id.in_(set(product_ids)))))


def product_categories(uow: Uow, product_ids: Collection[str]) -> dict[str, str | None]:
    """Product id → its category, in one statement (a return's lines need no more of their products)."""
    if not product_ids:
        return {}
    return {id_: category for id_, category in uow.session.execute(select(Product.id, Product.category)
                                                                  .where(Product.id.in_(set(product_ids))))}


# Built once: every cart, quote and checkout runs it (building it per call cost more than running it).
_SALE_VARIANTS = (
    select(
        Variant.id, Variant.sku, Variant.product_id, Variant.status, Variant.weight_grams, Variant.options,
        Product.status.label("product_status"), Product.title, Product.category, Product.tax_class,
        ChannelListing.is_published, ChannelListing.title.label("listing_title"), Price.amount_minor,
        PriceBook.currency, PriceBook.prices_include_vat,
        ProductTranslation.locale, ProductTranslation.title.label("translated_title"), ProductTranslation.option_values,
    )
    .join(Product, Product.id == Variant.product_id)
    .outerjoin(ChannelListing, and_(ChannelListing.product_id == Product.id, ChannelListing.channel_id == bindparam("channel_id")))
    .outerjoin(Price, and_(Price.variant_id == Variant.id, Price.price_book_id == bindparam("price_book_id")))
    .outerjoin(PriceBook, PriceBook.id == bindparam("price_book_id"))
    .outerjoin(ProductTranslation, and_(ProductTranslation.product_id == Product.id,
                                        ProductTranslation.locale.in_(bindparam("chain", expanding=True))))
    .where(Variant.sku.in_(bindparam("skus", expanding=True)))
)


def _rank(locale: str | None, chain: tuple[str, ...]) -> int:
    return chain.index(locale) if locale in chain else len(chain)


def _sale_variant(row: Any) -> SaleVariant:
    values: dict[str, str] = row.option_values or {}
    return SaleVariant(
        variant_id=row.id,
        sku=row.sku,
        product_id=row.product_id,
        title=row.listing_title or row.translated_title or row.title,
        category=row.category,
        tax_class=row.tax_class,
        weight_grams=row.weight_grams,
        is_for_sale=row.status == VariantStatus.ACTIVE.value and row.product_status == ProductStatus.ACTIVE.value,
        is_listed=bool(row.is_published),
        unit_minor=row.amount_minor,
        currency=row.currency,
        prices_include_vat=bool(row.prices_include_vat),
        options={name: values.get(value, value) for name, value in (row.options or {}).items()},
    )
