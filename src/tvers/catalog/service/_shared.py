"""Helpers the catalog's use cases share: lookups that raise, search text, output mapping."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from tvers.catalog.errors import ProductNotFound, VariantNotFound
from tvers.catalog.gtin import InvalidGtin, normalize_gtin
from tvers.catalog.models import Media, Product, ProductTranslation, Variant
from tvers.catalog.schemas import (
    MediaOut,
    ProductOut,
    ProductStatus,
    TaxClass,
    TranslationIn,
    TranslationOut,
    VariantOut,
    VariantStatus,
)
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.locales import normalise_locale


def product_row(uow: Uow, product_id: str) -> Product:
    row = uow.session.get(Product, product_id)
    if row is None:
        raise ProductNotFound(f"no product {product_id!r}")
    return row


def variant_row(uow: Uow, variant_id: str) -> Variant:
    row = uow.session.get(Variant, variant_id)
    if row is None:
        raise VariantNotFound(f"no variant {variant_id!r}")
    return row


def gtin_or_error(value: str | None, *, field: str, errors: list[FieldError]) -> str | None:
    """The GTIN-14 form, or None with the problem added to `errors`."""
    if value is None:
        return None
    try:
        return normalize_gtin(value)
    except InvalidGtin as error:
        errors.append(FieldError(field, error.message, error.code))
        return None


def translation_rows(product_id: str, translations: dict[str, TranslationIn], *, errors: list[FieldError]) -> list[ProductTranslation]:
    rows: dict[str, ProductTranslation] = {}
    for locale, data in translations.items():
        try:
            code = normalise_locale(locale, field=f"translations.{locale}")
        except Exception as error:  # UnknownLocale: collect with the others
            errors.extend(getattr(error, "fields", ()))
            continue
        rows[code] = ProductTranslation(
            product_id=product_id, locale=code, title=data.title, description=data.description, option_values=dict(data.option_values)
        )
    return list(rows.values())


def media_rows(product_id: str, media: Iterable[tuple[str, str, str | None]]) -> list[Media]:
    return [
        Media(id=new_id("med"), product_id=product_id, url=url, alt=alt, variant_id=variant_id, position=i)
        for i, (url, alt, variant_id) in enumerate(media)
    ]


def index_text(product: Product) -> None:
    """Case-folded text that search and tag filters match, kept on the row so both databases agree."""
    titles = [t.title for t in product.translations if t.title]
    parts = [product.handle, product.title, product.brand or "", product.category or "", *product.tags, *titles]
    product.search_text = " ".join(p.casefold() for p in parts if p)
    product.tag_index = "".join(f"|{tag.casefold()}" for tag in product.tags) + "|" if product.tags else ""


def variants_by_product(uow: Uow, product_ids: list[str]) -> dict[str, list[Variant]]:
    grouped: dict[str, list[Variant]] = {pid: [] for pid in product_ids}
    for row in uow.session.scalars(select(Variant).where(Variant.product_id.in_(product_ids)).order_by(Variant.position, Variant.id)):
        grouped[row.product_id].append(row)
    return grouped


def variant_out(row: Variant) -> VariantOut:
    return VariantOut(
        id=row.id,
        product_id=row.product_id,
        sku=row.sku,
        gtin=row.gtin,
        options=dict(row.options),
        weight_grams=row.weight_grams,
        status=VariantStatus(row.status),
        version=row.version,
    )


def product_out(row: Product) -> ProductOut:
    return ProductOut(
        id=row.id,
        handle=row.handle,
        title=row.title,
        description=row.description,
        brand=row.brand,
        category=row.category,
        tax_class=TaxClass(row.tax_class),
        tags=list(row.tags),
        attributes=dict(row.attributes),
        status=ProductStatus(row.status),
        version=row.version,
        variants=[variant_out(v) for v in row.variants],
        media=[MediaOut(id=m.id, url=m.url, alt=m.alt, variant_id=m.variant_id) for m in row.media],
        translations={
            t.locale: TranslationOut(title=t.title, description=t.description, option_values=dict(t.option_values))
            for t in row.translations
        },
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
