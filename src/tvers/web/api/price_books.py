"""Price book routes: books, single prices and the bulk price upsert."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field

from tvers.catalog import service as catalog
from tvers.catalog.schemas import (
    BulkResult,
    PriceBookIn,
    PriceBookOut,
    PriceIn,
    PriceOut,
    PriceRowIn,
)
from tvers.channels.access import Permission, Principal
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, requires

router = api_router("prices")

CatalogRead = Annotated[Principal, Depends(requires(Permission.CATALOG_READ))]
PricesWrite = Annotated[Principal, Depends(requires(Permission.PRICES_WRITE))]


class PriceRows(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[PriceRowIn] = Field(min_length=1, max_length=1000)


@router.post("/price-books", status_code=201, response_model=PriceBookOut)
def create_price_book(body: PriceBookIn, uow: UowDep, _: PricesWrite, __: IdempotencyKey = None) -> PriceBookOut:
    with uow:
        book = catalog.create_price_book(uow, body)
        uow.commit()
    return book


@router.get("/price-books", response_model=list[PriceBookOut])
def list_price_books(uow: ReadUowDep, _: CatalogRead) -> list[PriceBookOut]:
    with uow:
        return catalog.list_price_books(uow)


@router.get("/price-books/{code}", response_model=PriceBookOut)
def get_price_book(code: str, uow: ReadUowDep, _: CatalogRead) -> PriceBookOut:
    with uow:
        return catalog.get_price_book(uow, code)


@router.put("/price-books/{code}/prices/{sku}", response_model=PriceOut)
def set_price(code: str, sku: str, body: PriceIn, uow: UowDep, _: PricesWrite) -> PriceOut:
    with uow:
        price = catalog.set_price(uow, code, sku, body)
        uow.commit()
    return price


@router.post("/price-books/{code}/prices/bulk", response_model=BulkResult)
def bulk_upsert_prices(code: str, body: PriceRows, uow: UowDep, _: PricesWrite, __: IdempotencyKey = None) -> BulkResult:
    """Set up to 1,000 prices by SKU; one bad row and nothing is written."""
    with uow:
        result = catalog.bulk_upsert_prices(uow, code, body.rows)
        uow.commit()
    return result
