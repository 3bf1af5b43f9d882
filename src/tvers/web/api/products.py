"""Catalog routes: products, variants, bulk upserts, reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from tvers.catalog import service as catalog
from tvers.catalog.schemas import (
    BulkResult,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductStatus,
    ReviewIn,
    ReviewOut,
    VariantIn,
    VariantOut,
    VariantPatch,
    VariantRowIn,
    VersionIn,
)
from tvers.channels import service as channels
from tvers.channels.access import Permission, Principal
from tvers.web.api.common import After, Limit, PageOut, api_router
from tvers.web.deps import (
    IdempotencyKey,
    ReadUowDep,
    UowDep,
    check_channel_scope,
    requires,
)

router = api_router("catalog")

CatalogRead = Annotated[Principal, Depends(requires(Permission.CATALOG_READ))]
CatalogWrite = Annotated[Principal, Depends(requires(Permission.CATALOG_WRITE))]
ReviewWrite = Annotated[Principal, Depends(requires(Permission.REVIEWS_WRITE))]


class VariantRows(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[VariantRowIn] = Field(min_length=1, max_length=1000)


@router.post("/products", status_code=201, response_model=ProductOut)
def create_product(body: ProductIn, uow: UowDep, _: CatalogWrite, __: IdempotencyKey = None) -> ProductOut:
    with uow:
        product = catalog.create_product(uow, body)
        uow.commit()
    return product


@router.get("/products", response_model=PageOut[ProductOut])
def list_products(
    uow: ReadUowDep,
    _: CatalogRead,
    limit: Limit = 50,
    after: After = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in handle, title, brand, tags.")] = None,
    sku: str | None = None,
    gtin: str | None = None,
    status: ProductStatus | None = None,
    brand: str | None = None,
    category: str | None = None,
    tag: str | None = None,
) -> PageOut[ProductOut]:
    filters = catalog.ProductFilter(q=q, sku=sku, gtin=gtin, status=status, brand=brand, category=category, tag=tag)
    with uow:
        return PageOut.of(catalog.list_products(uow, filters=filters, limit=limit, after=after))


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: str, uow: ReadUowDep, _: CatalogRead) -> ProductOut:
    with uow:
        return catalog.get_product(uow, product_id)


@router.patch("/products/{product_id}", response_model=ProductOut)
def update_product(product_id: str, body: ProductPatch, uow: UowDep, _: CatalogWrite) -> ProductOut:
    with uow:
        product = catalog.update_product(uow, product_id, body)
        uow.commit()
    return product


@router.post("/products/{product_id}/archive", response_model=ProductOut)
def archive_product(product_id: str, body: VersionIn, uow: UowDep, _: CatalogWrite, __: IdempotencyKey = None) -> ProductOut:
    with uow:
        product = catalog.archive_product(uow, product_id, version=body.version)
        uow.commit()
    return product


@router.post("/products/{product_id}/variants", status_code=201, response_model=VariantOut)
def add_variant(product_id: str, body: VariantIn, uow: UowDep, _: CatalogWrite, __: IdempotencyKey = None) -> VariantOut:
    with uow:
        variant = catalog.add_variant(uow, product_id, body)
        uow.commit()
    return variant


@router.patch("/variants/{variant_id}", response_model=VariantOut)
def update_variant(variant_id: str, body: VariantPatch, uow: UowDep, _: CatalogWrite) -> VariantOut:
    with uow:
        variant = catalog.update_variant(uow, variant_id, body)
        uow.commit()
    return variant


@router.post("/variants/bulk", response_model=BulkResult)
def bulk_upsert_variants(body: VariantRows, uow: UowDep, _: CatalogWrite, __: IdempotencyKey = None) -> BulkResult:
    """Create or update up to 1,000 variants by SKU; one bad row and nothing is written."""
    with uow:
        result = catalog.bulk_upsert_variants(uow, body.rows)
        uow.commit()
    return result


@router.post("/products/{product_id}/reviews", status_code=201, response_model=ReviewOut)
def add_review(product_id: str, body: ReviewIn, uow: UowDep, principal: ReviewWrite, __: IdempotencyKey = None) -> ReviewOut:
    channel_code = body.channel or principal.channel_code
    if channel_code is not None:
        check_channel_scope(principal, channel_code)
    with uow:
        channel_id = channels.channel_ref(uow, channel_code).id if channel_code else None
        review = catalog.add_review(uow, product_id, body, channel_id=channel_id)
        uow.commit()
    return review


@router.get("/products/{product_id}/reviews", response_model=PageOut[ReviewOut])
def list_reviews(product_id: str, uow: ReadUowDep, _: CatalogRead, limit: Limit = 50, after: After = None) -> PageOut[ReviewOut]:
    with uow:
        return PageOut.of(catalog.list_reviews(uow, product_id, limit=limit, after=after))
