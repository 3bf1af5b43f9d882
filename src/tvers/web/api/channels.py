"""Channel routes: channels, their listings, and the catalog as a channel shows it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from tvers.catalog import service as catalog
from tvers.catalog.schemas import (
    ChannelContext,
    ChannelProductOut,
    ListingIn,
    ListingOut,
)
from tvers.channels import service as channels
from tvers.channels.access import Permission, Principal
from tvers.channels.schemas import ChannelIn, ChannelOut, ChannelPatch
from tvers.db.uow import Uow
from tvers.web.api.common import After, Limit, PageOut, api_router
from tvers.web.deps import (
    IdempotencyKey,
    ReadUowDep,
    UowDep,
    check_channel_scope,
    requires,
)

router = api_router("channels")

ChannelsRead = Annotated[Principal, Depends(requires(Permission.CHANNELS_READ))]
ChannelsWrite = Annotated[Principal, Depends(requires(Permission.CHANNELS_WRITE))]
ChannelView = Annotated[Principal, Depends(requires(Permission.CHANNEL_VIEW))]
Locale = Annotated[str | None, Query(max_length=20, description="e.g. `nb`, `sv`, `en`; default: the channel's locale.")]


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_ids: list[str] = Field(min_length=1, max_length=1000)
    is_published: bool = True


class PublishOut(BaseModel):
    changed: int


@router.post("/channels", status_code=201, response_model=ChannelOut)
def create_channel(body: ChannelIn, uow: UowDep, _: ChannelsWrite, __: IdempotencyKey = None) -> ChannelOut:
    with uow:
        channel = channels.create_channel(uow, body)
        uow.commit()
    return channel


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(uow: ReadUowDep, principal: ChannelsRead) -> list[ChannelOut]:
    with uow:
        return [c for c in channels.list_channels(uow) if principal.may_use_channel(c.code)]


@router.get("/channels/{code}", response_model=ChannelOut)
def get_channel(code: str, uow: ReadUowDep, principal: ChannelsRead) -> ChannelOut:
    check_channel_scope(principal, code)
    with uow:
        return channels.get_channel(uow, code)


@router.patch("/channels/{code}", response_model=ChannelOut)
def update_channel(code: str, body: ChannelPatch, uow: UowDep, _: ChannelsWrite) -> ChannelOut:
    with uow:
        channel = channels.update_channel(uow, code, body)
        uow.commit()
    return channel


@router.put("/channels/{code}/listings/{product_id}", response_model=ListingOut)
def set_listing(code: str, product_id: str, body: ListingIn, uow: UowDep, _: ChannelsWrite) -> ListingOut:
    with uow:
        listing = catalog.set_listing(uow, channel_id=channels.channel_ref(uow, code).id, product_id=product_id, data=body)
        uow.commit()
    return listing


@router.post("/channels/{code}/listings/bulk", response_model=PublishOut)
def publish_many(code: str, body: PublishIn, uow: UowDep, _: ChannelsWrite, __: IdempotencyKey = None) -> PublishOut:
    with uow:
        changed = catalog.publish_many(
            uow, channel_id=channels.channel_ref(uow, code).id, product_ids=body.product_ids, is_published=body.is_published
        )
        uow.commit()
    return PublishOut(changed=changed)


@router.get("/channels/{code}/products", response_model=PageOut[ChannelProductOut])
def channel_products(
    code: str,
    uow: ReadUowDep,
    principal: ChannelView,
    locale: Locale = None,
    limit: Limit = 50,
    after: After = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> PageOut[ChannelProductOut]:
    """The published catalog exactly as this channel shows it: overrides, translation, price."""
    check_channel_scope(principal, code)
    with uow:
        page = catalog.channel_products(uow, _context(uow, code), locale=locale, q=q, limit=limit, after=after)
    return PageOut.of(page)


@router.get("/channels/{code}/products/{product_id}", response_model=ChannelProductOut)
def channel_product(code: str, product_id: str, uow: ReadUowDep, principal: ChannelView, locale: Locale = None) -> ChannelProductOut:
    check_channel_scope(principal, code)
    with uow:
        return catalog.channel_product(uow, _context(uow, code), product_id, locale=locale)


def _context(uow: Uow, code: str) -> ChannelContext:
    ref = channels.channel_ref(uow, code)
    return ChannelContext(
        channel_id=ref.id, price_book_id=ref.price_book_id, currency=ref.currency, country=ref.country, default_locale=ref.default_locale
    )
