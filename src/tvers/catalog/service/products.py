"""Product use cases: create, change, archive, read, list and search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tvers.catalog import events
from tvers.catalog.errors import DuplicateGtin, DuplicateHandle, DuplicateSku, InvalidRows
from tvers.catalog.models import Product, Variant
from tvers.catalog.schemas import (
    MediaIn,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductStatus,
    VariantStatus,
)
from tvers.catalog.service._shared import (
    gtin_or_error,
    index_text,
    media_rows,
    product_out,
    product_row,
    translation_rows,
)
from tvers.catalog.service.variants import check_new_identifiers
from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import check_version


@dataclass(frozen=True)
class ProductFilter:
    q: str | None = None
    sku: str | None = None
    gtin: str | None = None
    status: ProductStatus | None = None
    brand: str | None = None
    category: str | None = None
    tag: str | None = None


def create_product(uow: Uow, data: ProductIn) -> ProductOut:
    errors: list[FieldError] = []
    now, product_id = uow.clock.now(), new_id("prd")
    product = Product(
        id=product_id,
        handle=data.handle,
        title=data.title,
        description=data.description,
        brand=data.brand,
        category=data.category,
        tax_class=data.tax_class.value,
        tags=list(data.tags),
        attributes=dict(data.attributes),
        status=data.status.value,
        created_at=now,
        updated_at=now,
    )
    product.translations = translation_rows(product_id, data.translations, errors=errors)
    variants = _new_variants(product_id, data, errors=errors, now=now)
    product.media = media_rows(product_id, _media_targets(data.media, variants, errors=errors))
    if errors:
        raise InvalidRows("the product has invalid fields", fields=errors)
    _check_unique_handle(uow, data.handle)
    check_new_identifiers(uow, [(f"variants.{i}", v.sku, v.gtin) for i, v in enumerate(variants)])
    index_text(product)
    uow.session.add(product)
    uow.session.add_all(variants)
    uow.session.flush()
    uow.record(events.ProductCreated(product_id=product_id, handle=data.handle))
    return get_product(uow, product_id)


def _new_variants(product_id: str, data: ProductIn, *, errors: list[FieldError], now: object) -> list[Variant]:
    seen: set[str] = set()
    seen_gtins: set[str] = set()
    variants = []
    for i, v in enumerate(data.variants):
        if v.sku in seen:
            errors.append(FieldError(f"variants.{i}.sku", f"SKU {v.sku} appears twice", DuplicateSku.code))
        seen.add(v.sku)
        gtin = gtin_or_error(v.gtin, field=f"variants.{i}.gtin", errors=errors)
        if gtin is not None and gtin in seen_gtins:
            errors.append(FieldError(f"variants.{i}.gtin", f"GTIN {gtin} appears twice", DuplicateGtin.code))
        if gtin is not None:
            seen_gtins.add(gtin)
        variants.append(
            Variant(
                id=new_id("var"),
                product_id=product_id,
                sku=v.sku,
                gtin=gtin,
                options=dict(v.options),
                weight_grams=v.weight_grams,
                position=i,
                status=VariantStatus.ACTIVE.value,
                created_at=now,
                updated_at=now,
            )
        )
    return variants


def _media_targets(media: list[MediaIn], variants: list[Variant], *, errors: list[FieldError]) -> list[tuple[str, str, str | None]]:
    by_sku = {v.sku: v.id for v in variants}
    targets = []
    for i, item in enumerate(media):
        if item.variant_sku is not None and item.variant_sku not in by_sku:
            errors.append(FieldError(f"media.{i}.variant_sku", f"no variant {item.variant_sku} on this product", "unknown_sku"))
        targets.append((item.url, item.alt, by_sku.get(item.variant_sku or "")))
    return targets


def _check_unique_handle(uow: Uow, handle: str) -> None:
    if uow.session.scalar(select(Product.id).where(Product.handle == handle)) is not None:
        message = f"a product with handle {handle!r} exists"
        raise DuplicateHandle(message, fields=[FieldError("handle", message, DuplicateHandle.code)])


def update_product(uow: Uow, product_id: str, data: ProductPatch) -> ProductOut:
    product = _loaded(uow, product_id)
    check_version(product.version, data.version)
    errors: list[FieldError] = []
    for name in ("title", "description", "brand", "category", "tags", "attributes"):
        value = getattr(data, name)
        if value is not None:
            setattr(product, name, value)
    if data.tax_class is not None:
        product.tax_class = data.tax_class.value
    if data.status is not None:
        product.status = data.status.value
    if data.translations is not None:
        product.translations = translation_rows(product_id, data.translations, errors=errors)
    if data.media is not None:
        product.media = media_rows(product_id, _media_targets(data.media, list(product.variants), errors=errors))
    if errors:
        raise InvalidRows("the product has invalid fields", fields=errors)
    index_text(product)
    product.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(events.ProductUpdated(product_id=product_id, version=product.version))
    return product_out(product)


def archive_product(uow: Uow, product_id: str, *, version: int) -> ProductOut:
    product = _loaded(uow, product_id)
    check_version(product.version, version)
    product.status = ProductStatus.ARCHIVED.value
    product.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(events.ProductArchived(product_id=product_id))
    return product_out(product)


def get_product(uow: Uow, product_id: str) -> ProductOut:
    return product_out(_loaded(uow, product_id))


def _loaded(uow: Uow, product_id: str) -> Product:
    product_row(uow, product_id)  # raises ProductNotFound
    return uow.session.execute(_with_children(select(Product).where(Product.id == product_id))).scalar_one()


def _with_children(query: Select[Product]) -> Select[Product]:
    return query.options(selectinload(Product.variants), selectinload(Product.media), selectinload(Product.translations))


def list_products(uow: Uow, *, filters: ProductFilter, limit: int, after: str | None) -> Page[ProductOut]:
    query = _filtered(select(Product), filters)
    last = decode_cursor(after)
    if last is not None:
        query = query.where(Product.id > last)
    rows = uow.session.scalars(_with_children(query.order_by(Product.id).limit(limit + 1))).all()
    page = page_of(rows, limit=limit, last_id=rows[limit - 1].id if len(rows) > limit else None)
    return Page(items=[product_out(r) for r in page.items], next_cursor=page.next_cursor)


def _filtered(query: Select[Product], f: ProductFilter) -> Select[Product]:
    if f.q:
        query = query.where(Product.search_text.contains(f.q.casefold(), autoescape=True))
    if f.sku or f.gtin:
        errors: list[FieldError] = []
        gtin = gtin_or_error(f.gtin, field="gtin", errors=errors) if f.gtin else None
        if errors:
            raise InvalidRows("invalid GTIN", fields=errors)
        variant = select(Variant.product_id)
        variant = variant.where(Variant.sku == f.sku) if f.sku else variant.where(Variant.gtin == gtin)
        query = query.where(Product.id.in_(variant))
    for column, value in ((Product.status, f.status.value if f.status else None), (Product.brand, f.brand)):
        if value is not None:
            query = query.where(column == value)
    if f.category:
        query = query.where((Product.category == f.category) | Product.category.startswith(f.category + "/", autoescape=True))
    if f.tag:
        query = query.where(Product.tag_index.contains(f"|{f.tag.casefold()}|", autoescape=True))
    return query
