"""Location routes, and the stock pool each channel draws from."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tvers.channels.access import Permission, Principal
from tvers.inventory import service as inventory
from tvers.inventory.schemas import ChannelPoolIn, ChannelPoolOut, LocationIn, LocationOut, LocationPatch, LocationType
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, check_channel_scope, requires

router = api_router("locations")

LocationsRead = Annotated[Principal, Depends(requires(Permission.LOCATIONS_READ))]
LocationsWrite = Annotated[Principal, Depends(requires(Permission.LOCATIONS_WRITE))]


@router.post("/locations", status_code=201, response_model=LocationOut)
def create_location(body: LocationIn, uow: UowDep, _: LocationsWrite, __: IdempotencyKey = None) -> LocationOut:
    with uow:
        location = inventory.create_location(uow, body)
        uow.commit()
    return location


@router.get("/locations", response_model=list[LocationOut])
def list_locations(uow: ReadUowDep, _: LocationsRead, type: LocationType | None = None, country: str | None = None) -> list[LocationOut]:
    with uow:
        return inventory.list_locations(uow, type=type, country=country)


@router.get("/locations/{code}", response_model=LocationOut)
def get_location(code: str, uow: ReadUowDep, _: LocationsRead) -> LocationOut:
    with uow:
        return inventory.get_location(uow, code)


@router.patch("/locations/{code}", response_model=LocationOut)
def update_location(code: str, body: LocationPatch, uow: UowDep, _: LocationsWrite) -> LocationOut:
    with uow:
        location = inventory.update_location(uow, code, body)
        uow.commit()
    return location


@router.put("/channels/{code}/stock-pool", response_model=ChannelPoolOut)
def set_channel_pool(code: str, body: ChannelPoolIn, uow: UowDep, _: LocationsWrite) -> ChannelPoolOut:
    """Which locations this channel ships from and offers pickup at, and the stock it holds back."""
    with uow:
        pool = inventory.set_channel_pool(uow, code, body)
        uow.commit()
    return pool


@router.get("/channels/{code}/stock-pool", response_model=ChannelPoolOut)
def get_channel_pool(code: str, uow: ReadUowDep, principal: LocationsRead) -> ChannelPoolOut:
    check_channel_scope(principal, code)
    with uow:
        return inventory.get_channel_pool(uow, code)
