"""What a channel shows: published, active products, translated, priced in its book."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tvers.catalog.errors import ProductNotFound
from tvers.catalog.models import (
    ChannelListing,
    Media,
    Price,
    PriceBook,
    Product,
    ProductTranslation,
    Variant,
)
from tvers.catalog.schemas import (
    ChannelContext,
    ChannelPrice,
    ChannelProductOut,
    ChannelVariantOut,
    MediaOut,
    ProductStatus,
    VariantStatus,
)
from tvers.catalog.service.prices import money_out, prices_for
from tvers.catalog.service.reviews import rating_summaries
from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.uow import Uow
from tvers.kernel.locales import fallback_chain, normalise_locale
from tvers.kernel.money import Money
from tvers.pricing.vat import UnknownTaxRate, price_split, vat_rate


def channel_product(uow: Uow, channel: ChannelContext, product_id: str, *, locale: str | None) -> ChannelProductOut:
    code = normalise_locale(locale) if locale else channel.default_locale
    row = uow.session.execute(_visible(channel).where(Product.id == product_id)).one_or_none()
    if row is None:
        raise ProductNotFound(f"product {product_id!r} is not shown on this channel")
    return _views(uow, channel, [tuple(row)], locale=code)[0]  # type: ignore[list-item]


def channel_products(
    uow: Uow, channel: ChannelContext, *, locale: str | None, q: str | None, limit: int, after: str | None
) -> Page[ChannelProductOut]:
    code = normalise_locale(locale) if locale else channel.default_locale
    query = _visible(channel)
    last = decode_cursor(after)
    if last is not None:
        query = query.where(Product.id > last)
    if q:
        query = query.where(Product.search_text.contains(q.casefold(), autoescape=True))
    rows = [tuple(r) for r in uow.session.execute(query.order_by(Product.id).limit(limit + 1)).all()]
    page = page_of(rows, limit=limit, last_id=rows[limit - 1][0].id if len(rows) > limit else None)
    return Page(items=_views(uow, channel, page.items, locale=code), next_cursor=page.next_cursor)  # type: ignore[arg-type]


def _visible(channel: ChannelContext):  # type: ignore[no-untyped-def]
    return (
        select(Product, ChannelListing)
        .join(ChannelListing, ChannelListing.product_id == Product.id)
        .where(
            ChannelListing.channel_id == channel.channel_id,
            ChannelListing.is_published.is_(True),
            Product.status == ProductStatus.ACTIVE.value,
        )
    )


def _views(uow: Uow, channel: ChannelContext, rows: Sequence[tuple[Product, ChannelListing]], *, locale: str) -> list[ChannelProductOut]:
    ids = [p.id for p, _ in rows]
    if not ids:
        return []
    variants = _active_variants(uow, ids)
    prices = prices_for(uow, channel.price_book_id, [v.id for vs in variants.values() for v in vs])
    translations = _translations(uow, ids, fallback_chain(locale))
    media = _media(uow, ids)
    ratings = rating_summaries(uow, ids)
    book = uow.session.get(PriceBook, channel.price_book_id)
    assert book is not None
    today = uow.clock.now().date()
    views = []
    for product, listing in rows:
        text = translations.get(product.id)
        values = text.option_values if text else {}
        views.append(
            ChannelProductOut(
                id=product.id,
                handle=product.handle,
                locale=locale,
                title=listing.title or (text.title if text and text.title else product.title),
                description=listing.description or (text.description if text and text.description else product.description),
                brand=product.brand,
                category=product.category,
                tags=list(product.tags),
                attributes=dict(product.attributes),
                image_url=listing.image_url or next((m.url for m in media.get(product.id, [])), None),
                media=[MediaOut(id=m.id, url=m.url, alt=m.alt, variant_id=m.variant_id) for m in media.get(product.id, [])],
                variants=[
                    ChannelVariantOut(
                        id=v.id,
                        sku=v.sku,
                        gtin=v.gtin,
                        options={k: values.get(val, val) for k, val in v.options.items()},
                        price=_price(prices.get(v.id), book, channel.country, product.tax_class, today),
                    )
                    for v in variants.get(product.id, [])
                ],
                rating=ratings[product.id],
            )
        )
    return views


def _active_variants(uow: Uow, product_ids: list[str]) -> dict[str, list[Variant]]:
    grouped: dict[str, list[Variant]] = {}
    query = select(Variant).where(Variant.product_id.in_(product_ids), Variant.status == VariantStatus.ACTIVE.value)
    for row in uow.session.scalars(query.order_by(Variant.position, Variant.id)):
        grouped.setdefault(row.product_id, []).append(row)
    return grouped


def _translations(uow: Uow, product_ids: list[str], chain: tuple[str, ...]) -> dict[str, ProductTranslation]:
    """The most specific translation per product: `nb-NO` before `nb`."""
    found: dict[str, ProductTranslation] = {}
    query = select(ProductTranslation).where(ProductTranslation.product_id.in_(product_ids), ProductTranslation.locale.in_(chain))
    for row in uow.session.scalars(query):
        current = found.get(row.product_id)
        if current is None or chain.index(row.locale) < chain.index(current.locale):
            found[row.product_id] = row
    return found


def _media(uow: Uow, product_ids: list[str]) -> dict[str, list[Media]]:
    grouped: dict[str, list[Media]] = {}
    for row in uow.session.scalars(select(Media).where(Media.product_id.in_(product_ids)).order_by(Media.position)):
        grouped.setdefault(row.product_id, []).append(row)
    return grouped


def _price(row: Price | None, book: PriceBook, country: str, tax_class: str, today: object) -> ChannelPrice | None:
    if row is None:
        return None
    amount = Money(row.amount_minor, book.currency)
    compare_at = money_out(Money(row.compare_at_minor, book.currency)) if row.compare_at_minor is not None else None
    try:
        rate = vat_rate(country, tax_class, on=today)  # type: ignore[arg-type]
    except UnknownTaxRate:
        return ChannelPrice(
            price=money_out(amount),
            compare_at=compare_at,
            includes_vat=book.prices_include_vat,
            vat_rate=None,
            vat=None,
            net=None,
            gross=None,
        )
    split = price_split(amount, rate=rate, includes_vat=book.prices_include_vat)
    return ChannelPrice(
        price=money_out(amount),
        compare_at=compare_at,
        includes_vat=book.prices_include_vat,
        vat_rate=str(rate),
        vat=money_out(split.vat),
        net=money_out(split.net),
        gross=money_out(split.gross),
    )
