"""Lookups and the one way on-hand stock changes: a conditional UPDATE plus a ledger row."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update

from tvers.catalog import service as catalog
from tvers.catalog.schemas import VariantRef
from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.db.upsert import insert_missing
from tvers.inventory.errors import InsufficientStock, LocationInactive, LocationNotFound, UnknownSku
from tvers.inventory.models import LEVELS, MOVEMENTS, Location, StockLevel
from tvers.inventory.schemas import MovementKind
from tvers.kernel.errors import FieldError

SYSTEM = "system"


@dataclass(frozen=True)
class Change:
    """One change of on-hand stock, as the ledger will record it."""

    variant_id: str
    location_id: str
    quantity: int  # signed
    kind: MovementKind
    reason: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    sku: str = ""  # for messages only
    location_code: str = ""


def location_by_code(uow: Uow, code: str, *, field: str = "location", active: bool = False) -> Location:
    row = uow.session.execute(select(Location).where(Location.code == code)).scalar_one_or_none()
    if row is None:
        message = f"no location {code!r}"
        raise LocationNotFound(message, fields=[FieldError(field, message, LocationNotFound.code)])
    if active and not row.is_active:
        raise LocationInactive(f"location {code} is not active", fields=[FieldError(field, "inactive", LocationInactive.code)])
    return row


def variants_for(uow: Uow, skus: Iterable[str], *, field: str = "lines") -> dict[str, VariantRef]:
    """Every SKU's variant, or UnknownSku naming each missing one by position."""
    wanted = list(skus)
    found = catalog.resolve_skus(uow, wanted)
    missing = [
        FieldError(f"{field}.{i}.sku" if field else "sku", f"no variant with SKU {sku!r}", UnknownSku.code)
        for i, sku in enumerate(wanted)
        if sku not in found
    ]
    if missing:
        raise UnknownSku(missing[0].message, fields=missing)
    return found


def ensure_levels(uow: Uow, pairs: Collection[tuple[str, str]]) -> None:
    now = uow.clock.now()
    rows = [
        {
            "variant_id": v,
            "location_id": loc,
            "on_hand": 0,
            "reserved": 0,
            "safety_stock": 0,
            "reorder_point": 0,
            "reorder_quantity": 0,
            "updated_at": now,
        }
        for v, loc in sorted(set(pairs))
    ]
    insert_missing(uow.session, StockLevel.__table__, rows, keys=("variant_id", "location_id"))  # type: ignore[arg-type]


_levels = LEVELS.c
# Built once: statements are reused with new parameters on the hot path, not rebuilt per line.
MOVE_ON_HAND = (
    update(LEVELS)
    .where(_levels.variant_id == bindparam("v"), _levels.location_id == bindparam("l"), _levels.on_hand + bindparam("q") >= 0)
    .values(on_hand=_levels.on_hand + bindparam("q"), updated_at=bindparam("at"))
)


def apply_changes(uow: Uow, changes: Iterable[Change], *, actor: str, channel_id: str | None = None) -> None:
    """Change on-hand stock and write the ledger; all or nothing (the caller's transaction)."""
    ordered = sorted(changes, key=lambda c: (c.variant_id, c.location_id))  # fixed lock order
    ensure_levels(uow, [(c.variant_id, c.location_id) for c in ordered])
    now = uow.clock.now()
    for change in ordered:
        moved = rows_changed(
            uow.session.execute(MOVE_ON_HAND, {"v": change.variant_id, "l": change.location_id, "q": change.quantity, "at": now})
        )
        if moved != 1:
            raise InsufficientStock(
                f"not {-change.quantity} of {change.sku or change.variant_id} on hand at {change.location_code or change.location_id}",
                sku=change.sku,
                location=change.location_code,
                requested=-change.quantity,
            )
    if ordered:
        uow.session.execute(
            insert(MOVEMENTS),
            [
                {
                    "variant_id": c.variant_id,
                    "location_id": c.location_id,
                    "kind": c.kind.value,
                    "quantity": c.quantity,
                    "reason": c.reason,
                    "actor": actor,
                    "channel_id": channel_id,
                    "reference_type": c.reference_type,
                    "reference_id": c.reference_id,
                    "created_at": now,
                }
                for c in ordered
            ],
        )
