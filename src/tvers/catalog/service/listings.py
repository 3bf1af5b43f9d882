"""Channel listings: whether a product is published on a channel, and its per-channel overrides."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tvers.catalog import events
from tvers.catalog.errors import ProductNotFound
from tvers.catalog.models import ChannelListing, Product
from tvers.catalog.schemas import ListingIn, ListingOut
from tvers.catalog.service._shared import product_row
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError


def set_listing(uow: Uow, *, channel_id: str, product_id: str, data: ListingIn) -> ListingOut:
    product_row(uow, product_id)
    row = uow.session.get(ChannelListing, (channel_id, product_id)) or ChannelListing(channel_id=channel_id, product_id=product_id)
    row.is_published, row.title, row.description, row.image_url = data.is_published, data.title, data.description, data.image_url
    row.updated_at = uow.clock.now()
    uow.session.add(row)
    uow.session.flush()
    uow.record(events.ListingChanged(channel_id=channel_id, product_ids=(product_id,), is_published=data.is_published))
    return listing_out(row)


def publish_many(uow: Uow, *, channel_id: str, product_ids: Sequence[str], is_published: bool) -> int:
    """Publish or unpublish many products at once, keeping their overrides."""
    found = set(uow.session.scalars(select(Product.id).where(Product.id.in_(product_ids))))
    missing = [i for i, pid in enumerate(product_ids) if pid not in found]
    if missing:
        raise ProductNotFound(
            "unknown products", fields=[FieldError(f"product_ids.{i}", "no such product", "product_not_found") for i in missing]
        )
    existing = {
        r.product_id: r
        for r in uow.session.scalars(
            select(ChannelListing).where(ChannelListing.channel_id == channel_id, ChannelListing.product_id.in_(found))
        )
    }
    now = uow.clock.now()
    for pid in sorted(found):
        row = existing.get(pid) or ChannelListing(channel_id=channel_id, product_id=pid)
        row.is_published, row.updated_at = is_published, now
        uow.session.add(row)
    uow.session.flush()
    uow.record(events.ListingChanged(channel_id=channel_id, product_ids=tuple(sorted(found)), is_published=is_published))
    return len(found)


def get_listing(uow: Uow, *, channel_id: str, product_id: str) -> ListingOut | None:
    row = uow.session.get(ChannelListing, (channel_id, product_id))
    return listing_out(row) if row else None


def listing_out(row: ChannelListing) -> ListingOut:
    return ListingOut(
        channel_id=row.channel_id,
        product_id=row.product_id,
        is_published=row.is_published,
        title=row.title,
        description=row.description,
        image_url=row.image_url,
    )
