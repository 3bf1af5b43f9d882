"""Bulk stock sync from a legacy POS/ERP: absolute or delta quantities, idempotent per batch id.

Rule (ADR 0006): a malformed row (a negative absolute count, a zero delta) refuses the
whole batch and nothing is applied; SKUs and locations Tvers does not know are skipped
and reported, because legacy systems carry retired codes and one of them must not hold
back a whole night's stock.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tvers.catalog import service as catalog
from tvers.db.uow import Uow
from tvers.inventory.errors import InvalidSyncBatch, SyncBatchInProgress, SyncBatchReused
from tvers.inventory.events import StockMoved
from tvers.inventory.models import Location, StockLevel, StockSyncBatch
from tvers.inventory.schemas import MovementKind, SyncIn, SyncMode, SyncReport
from tvers.inventory.service._shared import Change, apply_changes, ensure_levels
from tvers.kernel.errors import FieldError


def sync_stock(uow: Uow, data: SyncIn, *, actor: str) -> SyncReport:
    fingerprint = hashlib.sha256(json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    earlier = uow.session.get(StockSyncBatch, data.batch_id)
    if earlier is not None:
        if earlier.fingerprint != fingerprint:
            raise SyncBatchReused(
                f"batch {data.batch_id} was applied with other rows",
                fields=[FieldError("batch_id", "used with other rows", SyncBatchReused.code)],
            )
        return SyncReport(**{**earlier.report, "replayed": True})
    _check_rows(data)
    batch = _claim(uow, data.batch_id, fingerprint)
    report, changes = _plan(uow, data)
    if changes:
        apply_changes(uow, changes, actor=actor)
        for code in sorted({c.location_code for c in changes}):
            uow.record(
                StockMoved(
                    kind=MovementKind.ADJUSTMENT.value,
                    location_code=code,
                    reference_type="sync",
                    reference_id=data.batch_id,
                    lines=tuple((c.sku, c.quantity) for c in changes if c.location_code == code),
                )
            )
    batch.report = report.model_dump(mode="json")
    uow.session.flush()
    return report


def _claim(uow: Uow, batch_id: str, fingerprint: str) -> StockSyncBatch:
    """Take the batch id first, so the same batch sent twice at once is applied once (the other gets a 409)."""
    batch = StockSyncBatch(batch_id=batch_id, fingerprint=fingerprint, report={}, created_at=uow.clock.now())
    uow.session.add(batch)
    try:
        uow.session.flush()
    except IntegrityError:
        raise SyncBatchInProgress(f"batch {batch_id} is being applied right now; send it again to get its report") from None
    return batch


def _check_rows(data: SyncIn) -> None:
    errors = []
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(data.rows):
        if data.mode is SyncMode.ABSOLUTE and row.quantity < 0:
            errors.append(FieldError(f"rows.{i}.quantity", "an absolute quantity cannot be negative", "negative_quantity"))
        if data.mode is SyncMode.DELTA and row.quantity == 0:
            errors.append(FieldError(f"rows.{i}.quantity", "a delta of 0 changes nothing", "zero_delta"))
        if (row.location, row.sku) in seen:
            errors.append(FieldError(f"rows.{i}", f"same location and SKU as row {seen[(row.location, row.sku)]}", "duplicate_row"))
        seen.setdefault((row.location, row.sku), i)
    if errors:
        raise InvalidSyncBatch(f"{len(errors)} invalid rows; nothing was applied", fields=errors)


def _plan(uow: Uow, data: SyncIn) -> tuple[SyncReport, list[Change]]:
    variants = catalog.resolve_skus(uow, {r.sku for r in data.rows})
    locations = {loc.code: loc for loc in uow.session.scalars(select(Location).where(Location.code.in_({r.location for r in data.rows})))}
    known = [r for r in data.rows if r.sku in variants and r.location in locations]
    ensure_levels(uow, [(variants[r.sku].id, locations[r.location].id) for r in known])
    on_hand = _on_hand(uow, [(variants[r.sku].id, locations[r.location].id) for r in known])
    changes = []
    for row in known:
        variant_id, location_id = variants[row.sku].id, locations[row.location].id
        delta = row.quantity - on_hand[(variant_id, location_id)] if data.mode is SyncMode.ABSOLUTE else row.quantity
        if delta:
            changes.append(
                Change(
                    variant_id,
                    location_id,
                    delta,
                    MovementKind.ADJUSTMENT,
                    f"sync {data.mode.value}",
                    "sync",
                    data.batch_id,
                    sku=row.sku,
                    location_code=row.location,
                )
            )
    report = SyncReport(
        batch_id=data.batch_id,
        mode=data.mode,
        applied=len(changes),
        unchanged=len(known) - len(changes),
        unknown_skus=sorted({r.sku for r in data.rows if r.sku not in variants}),
        unknown_locations=sorted({r.location for r in data.rows if r.location not in locations}),
    )
    return report, changes


def _on_hand(uow: Uow, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not pairs:
        return {}
    variant_ids = {v for v, _ in pairs}
    rows = uow.session.execute(
        select(StockLevel.variant_id, StockLevel.location_id, StockLevel.on_hand)
        .where(StockLevel.variant_id.in_(variant_ids))
        .with_for_update()
    ).all()
    return {(v, loc): q for v, loc, q in rows}
