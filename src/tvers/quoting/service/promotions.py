"""Promotion use cases: set up, change, read; everything a promotion names (channels, SKUs, products, tiers) must exist."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import ColumnElement, or_, select

from tvers.catalog import service as catalog
from tvers.channels import service as channels
from tvers.customers import service as customers
from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import check_version
from tvers.pricing.errors import InvalidPromotion
from tvers.quoting.errors import PromotionNotFound
from tvers.quoting.events import PromotionChanged
from tvers.quoting.models import Promotion
from tvers.quoting.schemas import PromotionIn, PromotionOut, PromotionPatch
from tvers.quoting.service.promotion_mapping import promotion_in, promotion_out, promotion_values


def create_promotion(uow: Uow, data: PromotionIn) -> PromotionOut:
    values = promotion_values(data)
    _check_references(uow, data)
    now = uow.clock.now()
    row = Promotion(id=new_id("prm"), **values, created_at=now, updated_at=now)
    uow.session.add(row)
    uow.session.flush()
    uow.record(PromotionChanged(promotion_id=row.id, version=row.version, is_active=row.is_active))
    return promotion_out(row)


def update_promotion(uow: Uow, promotion_id: str, data: PromotionPatch) -> PromotionOut:
    """Given fields replace the stored ones; the result is checked as a whole, as on create."""
    row = promotion_row(uow, promotion_id)
    check_version(row.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    merged = _merged(promotion_in(row), changes)
    values = promotion_values(merged)
    _check_references(uow, merged)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(PromotionChanged(promotion_id=row.id, version=row.version, is_active=row.is_active))
    return promotion_out(row)


def get_promotion(uow: Uow, promotion_id: str) -> PromotionOut:
    return promotion_out(promotion_row(uow, promotion_id))


def list_promotions(uow: Uow, *, active_at: datetime | None, limit: int, after: str | None) -> Page[PromotionOut]:
    """Oldest first; `active_at` keeps the active promotions whose window holds that instant."""
    query = select(Promotion).order_by(Promotion.id).limit(limit + 1)
    last = decode_cursor(after)
    if last is not None:
        query = query.where(Promotion.id > last)
    if active_at is not None:
        query = query.where(Promotion.is_active.is_(True), *in_window(active_at))
    rows = list(uow.session.scalars(query))
    page = page_of(rows, limit=limit, last_id=rows[limit - 1].id if len(rows) > limit else None)
    return Page(items=[promotion_out(row) for row in page.items], next_cursor=page.next_cursor)


def in_window(at: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL conditions: the promotion has started by `at` and has not ended ([starts_at, ends_at))."""
    return (or_(Promotion.starts_at.is_(None), Promotion.starts_at <= at), or_(Promotion.ends_at.is_(None), Promotion.ends_at > at))


def promotion_row(uow: Uow, promotion_id: str) -> Promotion:
    row = uow.session.get(Promotion, promotion_id)
    if row is None:
        raise PromotionNotFound(f"no promotion {promotion_id!r}")
    return row


def _merged(current: PromotionIn, changes: dict[str, object]) -> PromotionIn:
    try:
        return PromotionIn.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        fields = [FieldError(".".join(str(p) for p in e["loc"]), e["msg"], e["type"]) for e in error.errors()]
        raise InvalidPromotion(fields[0].message if fields else "invalid promotion", fields=fields) from None


def _check_references(uow: Uow, data: PromotionIn) -> None:
    """Channels, SKUs, products and tiers a promotion names must exist: a typo would silently never match."""
    errors: list[FieldError] = []
    if data.channels:
        known = channels.channel_ids_by_code(uow)
        errors += [FieldError(f"channels.{i}", f"no channel {c!r}", "channel_not_found") for i, c in enumerate(data.channels)
                   if c not in known]
    if data.target.skus:
        found = catalog.resolve_skus(uow, data.target.skus)
        errors += [FieldError(f"target.skus.{i}", f"no variant with SKU {s!r}", "unknown_sku") for i, s in enumerate(data.target.skus)
                   if s not in found]
    if data.target.product_ids:
        products = catalog.existing_product_ids(uow, data.target.product_ids)
        errors += [FieldError(f"target.product_ids.{i}", f"no product {p!r}", "product_not_found")
                   for i, p in enumerate(data.target.product_ids) if p not in products]
    if data.tiers:
        tiers = {tier.code for tier in customers.get_programme(uow).tiers}
        errors += [FieldError(f"tiers.{i}", f"the loyalty programme has no tier {t!r}", "unknown_tier") for i, t in enumerate(data.tiers)
                   if t not in tiers]
    if errors:
        raise InvalidPromotion(f"{errors[0].field}: {errors[0].message}", fields=errors)
