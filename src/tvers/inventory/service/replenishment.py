"""Replenishment: suggestions where stock has fallen to its reorder point; reorder points from sales."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import and_, func, select, update

from tvers.catalog import service as catalog
from tvers.db.uow import Uow
from tvers.inventory import replenishment as rules
from tvers.inventory.atp import location_available
from tvers.inventory.models import Location, Movement, StockLevel
from tvers.inventory.schemas import MovementKind, SuggestionOut
from tvers.inventory.service._shared import location_by_code


def suggestions(uow: Uow, *, location_code: str | None = None) -> list[SuggestionOut]:
    needy = select(StockLevel.variant_id).where(
        StockLevel.reorder_point > 0, StockLevel.on_hand - StockLevel.reserved - StockLevel.safety_stock <= StockLevel.reorder_point
    )
    if location_code is not None:
        needy = needy.where(StockLevel.location_id == location_by_code(uow, location_code).id)
    variant_ids = set(uow.session.scalars(needy.distinct()))
    if not variant_ids:
        return []
    rows = uow.session.execute(
        select(StockLevel, Location)
        .join(Location, and_(Location.id == StockLevel.location_id, Location.is_active.is_(True)))
        .where(StockLevel.variant_id.in_(variant_ids))
    ).all()
    views: dict[str, list[rules.LevelView]] = defaultdict(list)
    for level, location in rows:
        views[level.variant_id].append(
            rules.LevelView(
                location.code,
                location.type,
                location_available(on_hand=level.on_hand, reserved=level.reserved, safety_stock=level.safety_stock),
                level.reorder_point,
                level.reorder_quantity,
                location.sourcing_priority,
            )
        )
    skus = catalog.skus_by_id(uow, variant_ids)
    found = []
    for variant_id in sorted(views, key=lambda v: skus[v]):
        for view in views[variant_id]:
            if location_code is not None and view.location_code != location_code:
                continue
            suggestion = rules.suggest(view, views[variant_id])
            if suggestion is not None:
                found.append(
                    SuggestionOut(
                        location=suggestion.location_code,
                        sku=skus[variant_id],
                        kind=suggestion.kind,
                        quantity=suggestion.quantity,
                        from_location=suggestion.from_location_code,
                        reason=suggestion.reason,
                    )
                )
    return found


def compute_reorder_points(uow: Uow, *, days: int, lead_time_days: float, location_code: str | None = None) -> int:
    """Reorder point = sales per day over the last `days` × lead time + safety stock; returns levels changed."""
    since = uow.clock.now() - timedelta(days=days)
    query = (
        select(Movement.variant_id, Movement.location_id, func.sum(-Movement.quantity))
        .where(Movement.kind == MovementKind.SALE.value, Movement.created_at >= since)
        .group_by(Movement.variant_id, Movement.location_id)
    )
    if location_code is not None:
        query = query.where(Movement.location_id == location_by_code(uow, location_code).id)
    changed = 0
    for variant_id, location_id, sold in uow.session.execute(query).all():
        level = uow.session.get(StockLevel, (variant_id, location_id))
        if level is None:
            continue
        point = rules.reorder_point(units_sold=int(sold), days=days, lead_time_days=lead_time_days, safety_stock=level.safety_stock)
        if point != level.reorder_point:
            uow.session.execute(
                update(StockLevel)
                .where(StockLevel.variant_id == variant_id, StockLevel.location_id == location_id)
                .values(reorder_point=point, reorder_quantity=max(level.reorder_quantity, point))
            )
            changed += 1
    return changed
