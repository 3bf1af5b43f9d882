"""Shipping rate routes: a rate per destination country and currency (by weight or order value, free from a threshold)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from tvers.channels.access import Permission, Principal
from tvers.quoting import service as quoting
from tvers.quoting.schemas import ShippingRateIn, ShippingRateOut, ShippingRatePatch
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, requires

router = api_router("shipping rates")

Read = Annotated[Principal, Depends(requires(Permission.PRICING_READ))]
Write = Annotated[Principal, Depends(requires(Permission.PROMOTIONS_WRITE))]


@router.post("/shipping-rates", status_code=201, response_model=ShippingRateOut)
def create_shipping_rate(body: ShippingRateIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> ShippingRateOut:
    with uow:
        rate = quoting.create_shipping_rate(uow, body)
        uow.commit()
    return rate


@router.get("/shipping-rates", response_model=list[ShippingRateOut])
def list_shipping_rates(uow: ReadUowDep, _: Read,
                        country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None) -> list[ShippingRateOut]:
    with uow:
        return quoting.list_shipping_rates(uow, country=country)


@router.get("/shipping-rates/{rate_id}", response_model=ShippingRateOut)
def get_shipping_rate(rate_id: str, uow: ReadUowDep, _: Read) -> ShippingRateOut:
    with uow:
        return quoting.get_shipping_rate(uow, rate_id)


@router.patch("/shipping-rates/{rate_id}", response_model=ShippingRateOut)
def update_shipping_rate(rate_id: str, body: ShippingRatePatch, uow: UowDep, _: Write) -> ShippingRateOut:
    with uow:
        rate = quoting.update_shipping_rate(uow, rate_id, body)
        uow.commit()
    return rate


@router.delete("/shipping-rates/{rate_id}", status_code=204, response_class=Response)
def delete_shipping_rate(rate_id: str, uow: UowDep, _: Write) -> Response:
    with uow:
        quoting.delete_shipping_rate(uow, rate_id)
        uow.commit()
    return Response(status_code=204)
