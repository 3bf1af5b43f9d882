"""Variant use cases: add, change, and the all-or-nothing bulk upsert by SKU."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, func, select

from tvers.catalog import events
from tvers.catalog.errors import (
    DuplicateGtin,
    DuplicateSku,
    InvalidRows,
    ProductArchived,
)
from tvers.catalog.models import Product, Variant
from tvers.catalog.schemas import (
    BulkResult,
    ProductStatus,
    VariantIn,
    VariantOut,
    VariantPatch,
    VariantRef,
    VariantRowIn,
    VariantStatus,
)
from tvers.catalog.service._shared import (
    gtin_or_error,
    product_row,
    variant_out,
    variant_row,
)
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import check_version

MAX_BULK_ROWS = 1000


def check_new_identifiers(uow: Uow, items: Sequence[tuple[str, str, str | None]], *, ignore_ids: set[str] | None = None) -> None:
    """Refuse SKUs or GTINs (given as (field path, sku, gtin)) that other variants already use."""
    ignore = ignore_ids or set()
    skus = {sku: path for path, sku, _ in items}
    gtins: dict[str, str] = {gtin: path for path, _, gtin in items if gtin}
    errors = [
        FieldError(f"{skus[sku]}.sku", f"SKU {sku} is used by another variant", DuplicateSku.code)
        for vid, sku in uow.session.execute(select(Variant.id, Variant.sku).where(Variant.sku.in_(skus)))
        if vid not in ignore
    ]
    errors += [
        FieldError(f"{gtins[g]}.gtin", f"GTIN {g} is used by another variant", DuplicateGtin.code)
        for vid, g in uow.session.execute(select(Variant.id, Variant.gtin).where(Variant.gtin.in_(gtins)))
        if g and vid not in ignore
    ]
    if errors:
        kind = DuplicateSku if errors[0].code == DuplicateSku.code else DuplicateGtin
        raise kind(errors[0].message, fields=errors)


def add_variant(uow: Uow, product_id: str, data: VariantIn) -> VariantOut:
    product = product_row(uow, product_id)
    _check_not_archived(product)
    errors: list[FieldError] = []
    gtin = gtin_or_error(data.gtin, field="gtin", errors=errors)
    if errors:
        raise InvalidRows("the variant has invalid fields", fields=errors)
    check_new_identifiers(uow, [("variant", data.sku, gtin)])
    position = uow.session.scalar(select(func.count()).where(Variant.product_id == product_id)) or 0
    now = uow.clock.now()
    row = Variant(
        id=new_id("var"),
        product_id=product_id,
        sku=data.sku,
        gtin=gtin,
        options=dict(data.options),
        weight_grams=data.weight_grams,
        position=position,
        status=VariantStatus.ACTIVE.value,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.record(events.VariantsChanged(product_ids=(product_id,), skus=(data.sku,)))
    return variant_out(row)


def update_variant(uow: Uow, variant_id: str, data: VariantPatch) -> VariantOut:
    row = variant_row(uow, variant_id)
    check_version(row.version, data.version)
    if data.gtin is not None:
        errors: list[FieldError] = []
        gtin = gtin_or_error(data.gtin, field="gtin", errors=errors)
        if errors:
            raise InvalidRows("the variant has invalid fields", fields=errors)
        check_new_identifiers(uow, [("variant", row.sku, gtin)], ignore_ids={row.id})
        row.gtin = gtin
    if data.options is not None:
        row.options = dict(data.options)
    if data.weight_grams is not None:
        row.weight_grams = data.weight_grams
    if data.status is not None:
        row.status = data.status.value
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(events.VariantsChanged(product_ids=(row.product_id,), skus=(row.sku,)))
    return variant_out(row)


def get_variant_by_sku(uow: Uow, sku: str) -> VariantOut | None:
    row = uow.session.execute(select(Variant).where(Variant.sku == sku)).scalar_one_or_none()
    return variant_out(row) if row else None


def bulk_upsert_variants(uow: Uow, rows: Sequence[VariantRowIn]) -> BulkResult:
    """Create or update variants by SKU: every row is checked first, then all are written or none."""
    if len(rows) > MAX_BULK_ROWS:
        raise InvalidRows(f"at most {MAX_BULK_ROWS} rows per request", fields=[FieldError("rows", "too many rows", "too_many_rows")])
    errors: list[FieldError] = []
    products = _products_by_handle(uow, {r.product for r in rows})
    existing = {v.sku: v for v in uow.session.scalars(select(Variant).where(Variant.sku.in_({r.sku for r in rows})))}
    gtins = [gtin_or_error(r.gtin, field=f"rows.{i}.gtin", errors=errors) for i, r in enumerate(rows)]
    _check_rows(rows, gtins, products, existing, errors)
    taken = dict(uow.session.execute(select(Variant.gtin, Variant.sku).where(Variant.gtin.in_({g for g in gtins if g}))).all())
    # A GTIN whose holder gives it up in this same batch is free to move (see _apply_rows).
    batch_gtins = {r.sku: gtins[i] for i, r in enumerate(rows)}
    errors += [
        FieldError(f"rows.{i}.gtin", f"GTIN {g} is used by variant {taken[g]}", DuplicateGtin.code)
        for i, g in enumerate(gtins)
        if g in taken and taken[g] != rows[i].sku and batch_gtins.get(taken[g], g) == g
    ]
    if errors:
        raise InvalidRows(
            f"{len({e.field.split('.')[1] for e in errors})} of {len(rows)} rows are invalid; nothing was written",
            fields=sorted(errors, key=lambda e: int(e.field.split(".")[1]) if e.field.count(".") else 0),
        )
    created = _apply_rows(uow, rows, gtins, products, existing)
    uow.record(events.VariantsChanged(product_ids=tuple(sorted({products[r.product].id for r in rows})), skus=tuple(r.sku for r in rows)))
    return BulkResult(created=created, updated=len(rows) - created)


def _products_by_handle(uow: Uow, handles: set[str]) -> dict[str, Product]:
    return {p.handle: p for p in uow.session.scalars(select(Product).where(Product.handle.in_(handles)))}


def _check_rows(
    rows: Sequence[VariantRowIn],
    gtins: list[str | None],
    products: dict[str, Product],
    existing: dict[str, Variant],
    errors: list[FieldError],
) -> None:
    first_sku: dict[str, int] = {}
    first_gtin: dict[str, int] = {}
    for i, row in enumerate(rows):
        product = products.get(row.product)
        if product is None:
            errors.append(FieldError(f"rows.{i}.product", f"no product with handle {row.product!r}", "product_not_found"))
        elif row.sku in existing and existing[row.sku].product_id != product.id:
            errors.append(FieldError(f"rows.{i}.product", f"SKU {row.sku} belongs to another product", "sku_on_other_product"))
        if row.sku in first_sku:
            errors.append(FieldError(f"rows.{i}.sku", f"SKU {row.sku} also in row {first_sku[row.sku]}", DuplicateSku.code))
        first_sku.setdefault(row.sku, i)
        gtin = gtins[i]
        if gtin and gtin in first_gtin:
            errors.append(FieldError(f"rows.{i}.gtin", f"GTIN also in row {first_gtin[gtin]}", DuplicateGtin.code))
        if gtin:
            first_gtin.setdefault(gtin, i)


def _apply_rows(
    uow: Uow, rows: Sequence[VariantRowIn], gtins: list[str | None], products: dict[str, Product], existing: dict[str, Variant]
) -> int:
    now, created = uow.clock.now(), 0
    # New variants go after the product's existing ones, in row order.
    product_ids = {products[r.product].id for r in rows}
    next_position = dict(
        uow.session.execute(
            select(Variant.product_id, func.max(Variant.position) + 1)
            .where(Variant.product_id.in_(product_ids))
            .group_by(Variant.product_id)
        ).all()
    )
    # Clear GTINs being moved between rows first, so a swap within the batch never trips the unique index.
    for i, row in enumerate(rows):
        if row.sku in existing and existing[row.sku].gtin != gtins[i]:
            existing[row.sku].gtin = None
    uow.session.flush()
    for i, row in enumerate(rows):
        variant = existing.get(row.sku)
        if variant is None:
            product_id = products[row.product].id
            position = next_position.get(product_id, 0)
            next_position[product_id] = position + 1
            variant = Variant(id=new_id("var"), product_id=product_id, sku=row.sku, position=position, created_at=now)
            uow.session.add(variant)
            created += 1
        variant.gtin, variant.options, variant.weight_grams = gtins[i], dict(row.options), row.weight_grams
        variant.status, variant.updated_at = row.status.value, now
    uow.session.flush()
    return created


def _check_not_archived(product: Product) -> None:
    if product.status == ProductStatus.ARCHIVED.value:
        raise ProductArchived(f"product {product.handle} is archived")


# Built once and run as Core on the session's connection: every stock read, cart and checkout resolves SKUs.
_RESOLVE_SKUS = (
    select(Variant.id, Variant.sku, Variant.product_id, Variant.status, Product.status)
    .join(Product, Product.id == Variant.product_id)
    .where(Variant.sku.in_(bindparam("skus", expanding=True)))
)


def resolve_skus(uow: Uow, skus: Collection[str]) -> dict[str, VariantRef]:
    """SKU → variant reference for the SKUs that exist; one query."""
    if not skus:
        return {}
    rows = uow.core_connection().execute(_RESOLVE_SKUS, {"skus": sorted(set(skus))}).all()
    return {
        sku: VariantRef(id=vid, sku=sku, product_id=pid, is_archived=ARCHIVED in (vstatus, pstatus))
        for vid, sku, pid, vstatus, pstatus in rows
    }


def skus_by_id(uow: Uow, variant_ids: Collection[str]) -> dict[str, str]:
    return dict(uow.session.execute(select(Variant.id, Variant.sku).where(Variant.id.in_(set(variant_ids)))).all())


ARCHIVED = "archived"
