"""Merging two profiles found to be one person: every history moves, the merged one keeps a pointer (ADR 0005)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import select, update

from tvers.carts import service as carts
from tvers.customers import events
from tvers.customers.errors import InvalidMerge
from tvers.customers.merge_rules import Candidate, choose_survivor
from tvers.customers.models import Activity, Address, Customer, Identity, MergeRecord
from tvers.customers.schemas import CustomerStatus, MergeOut
from tvers.customers.service import consents, gift_cards, loyalty, store_credit
from tvers.customers.service._shared import add_activity, live_row, rows_changed
from tvers.customers.service.identities import customers_by_id, loyalty_card_holders
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id

AUTOMATIC = "automatic"
_PROFILE_FIELDS = ("given_name", "family_name", "locale", "birth_on")


@dataclass(frozen=True)
class Evidence:
    """An identity that showed two profiles are one person: its type and id, never its value."""

    type: str
    identity_id: str


def merge_many(uow: Uow, customer_ids: Sequence[str], *, reason: str, evidence: Sequence[Evidence],
               actor: str) -> tuple[str, list[str]]:
    """Merge every profile into the survivor the rule picks; returns (survivor, merged ids)."""
    if len(customer_ids) == 1:
        return customer_ids[0], []
    rows = customers_by_id(uow, customer_ids)
    cards = loyalty_card_holders(uow, list(rows))
    survivor = choose_survivor([Candidate(r.id, r.created_at, r.id in cards) for r in rows.values()])
    merged = sorted(set(rows) - {survivor})
    for merged_id in merged:
        merge_customers(uow, survivor_id=survivor, merged_id=merged_id, reason=reason, evidence=evidence, actor=actor)
    return survivor, merged


def merge_customers(uow: Uow, *, survivor_id: str, merged_id: str, reason: str, evidence: Sequence[Evidence] = (),
                    actor: str) -> MergeOut:
    """Merge `merged_id` into `survivor_id` in the caller's transaction; automatic and staff merges both come here."""
    survivor = live_row(uow, survivor_id, field="survivor_id")
    merged = live_row(uow, merged_id, field="merged_id")
    if survivor.id == merged.id:
        message = "a customer cannot be merged into itself"
        raise InvalidMerge(message, fields=[FieldError("merged_id", message, InvalidMerge.code)])
    _claim_both(uow, survivor.id, merged.id)
    _fill_gaps(survivor, merged)
    _move_history(uow, survivor_id=survivor.id, merged_id=merged.id)
    record = MergeRecord(id=new_id("mrg"), survivor_id=survivor.id, merged_id=merged.id, reason=reason,
                         evidence=[asdict(e) for e in evidence], actor=actor, at=uow.clock.now())
    uow.session.add(record)
    add_activity(uow, survivor.id, "merged", merged_id=merged.id, reason=reason, actor=actor)
    uow.session.flush()
    uow.record(events.CustomerMerged(survivor_id=survivor.id, merged_id=merged.id, reason=reason, actor=actor))
    return merge_out(record)


def _claim_both(uow: Uow, survivor_id: str, merged_id: str) -> None:
    """Conditional UPDATEs in id order: a concurrent merge or erasure of either makes this one fail cleanly."""
    now = uow.clock.now()
    for customer_id in sorted((survivor_id, merged_id)):
        values: dict[str, object] = {"version": Customer.version + 1, "updated_at": now}
        if customer_id == merged_id:
            values |= {"status": CustomerStatus.MERGED.value, "merged_into": survivor_id}
        active = (Customer.id == customer_id) & (Customer.status == CustomerStatus.ACTIVE.value)
        changed = rows_changed(uow.session.execute(update(Customer).where(active)
                                      .values(**values).execution_options(synchronize_session=False)))
        if changed != 1:
            raise InvalidMerge(f"customer {customer_id} is no longer active; nothing was merged")
    uow.session.expire_all()


def _fill_gaps(survivor: Customer, merged: Customer) -> None:
    """The survivor keeps its own data and takes what only the merged profile knew; the merged row keeps none."""
    for name in _PROFILE_FIELDS:
        if getattr(survivor, name) is None:
            setattr(survivor, name, getattr(merged, name))
    if merged.notes:
        survivor.notes = f"{survivor.notes}\n{merged.notes}" if survivor.notes else merged.notes
    survivor.search_name = " ".join(p for p in (survivor.given_name, survivor.family_name) if p).casefold() or None
    for name in (*_PROFILE_FIELDS, "notes", "search_name"):
        setattr(merged, name, None)


def _move_history(uow: Uow, *, survivor_id: str, merged_id: str) -> None:
    session = uow.session
    moves = ((Identity, Identity.customer_id), (Activity, Activity.customer_id))
    for model, column in moves:
        session.execute(update(model).where(column == merged_id).values({column: survivor_id})
                        .execution_options(synchronize_session=False))
    _move_addresses(uow, survivor_id=survivor_id, merged_id=merged_id)
    # Profiles merged into the merged one now point straight at the survivor: one hop resolves any old id.
    session.execute(update(Customer).where(Customer.merged_into == merged_id).values(merged_into=survivor_id)
                    .execution_options(synchronize_session=False))
    consents.copy_history(uow, from_customer=merged_id, to_customer=survivor_id)
    loyalty.transfer_points(uow, from_customer=merged_id, to_customer=survivor_id)
    store_credit.transfer_balances(uow, from_customer=merged_id, to_customer=survivor_id)
    gift_cards.transfer_ownership(uow, from_customer=merged_id, to_customer=survivor_id)
    carts.reassign_customer_carts(uow, from_customer=merged_id, to_customer=survivor_id)


def _move_addresses(uow: Uow, *, survivor_id: str, merged_id: str) -> None:
    """Addresses move; where the survivor already has a default of a kind, the moved ones stop being default."""
    kinds = set(uow.session.scalars(select(Address.kind).where(Address.customer_id == survivor_id, Address.is_default.is_(True))))
    if kinds:
        uow.session.execute(update(Address).where(Address.customer_id == merged_id, Address.kind.in_(kinds))
                            .values(is_default=False).execution_options(synchronize_session=False))
    uow.session.execute(update(Address).where(Address.customer_id == merged_id).values(customer_id=survivor_id)
                        .execution_options(synchronize_session=False))


def list_merges(uow: Uow, customer_id: str) -> list[MergeOut]:
    rows = uow.session.scalars(select(MergeRecord).where(
        (MergeRecord.survivor_id == customer_id) | (MergeRecord.merged_id == customer_id)).order_by(MergeRecord.at, MergeRecord.id))
    return [merge_out(r) for r in rows]


def merge_out(row: MergeRecord) -> MergeOut:
    return MergeOut(id=row.id, survivor_id=row.survivor_id, merged_id=row.merged_id, reason=row.reason,
                    evidence=[dict(e) for e in row.evidence], actor=row.actor, at=row.at)
