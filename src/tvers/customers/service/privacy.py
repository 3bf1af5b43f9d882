"""Privacy: export everything held about a customer as one document, and erase the person while keeping the money trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from tvers.carts import service as carts
from tvers.customers import events
from tvers.customers.errors import AlreadyErased
from tvers.customers.models import Activity, Address, ConsentEntry, Customer, Identity, MergeRecord
from tvers.customers.schemas import CustomerStatus
from tvers.customers.service import consents, gift_cards, loyalty, store_credit
from tvers.customers.service._shared import add_activity, current_row, customer_out, rows_changed
from tvers.customers.service.merging import list_merges
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError

EXPORT_FORMAT = "tvers.customer-export/1"
_PERSONAL = ("given_name", "family_name", "search_name", "birth_on", "notes")


def export_customer(uow: Uow, customer_id: str) -> dict[str, Any]:
    """One JSON document with the profile, identities, addresses, consent history, loyalty, balances, carts, timeline."""
    row = current_row(uow, customer_id)
    activities = uow.session.scalars(select(Activity).where(Activity.customer_id == row.id).order_by(Activity.at, Activity.id))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": uow.clock.now().isoformat(),
        "profile": customer_out(uow, row).model_dump(mode="json"),
        "merged_profiles": [m.model_dump(mode="json") for m in list_merges(uow, row.id)],
        "consents": [c.model_dump(mode="json") for c in consents.consent_history(uow, row.id)],
        "loyalty": loyalty.loyalty_summary(uow, row.id).model_dump(mode="json"),
        "points": [p.model_dump(mode="json") for p in loyalty.points_history(uow, row.id)],
        "gift_cards": [g.model_dump(mode="json") for g in gift_cards.owned_gift_cards(uow, row.id)],
        "store_credit": store_credit.store_credit_of(uow, row.id).model_dump(mode="json"),
        "carts": [c.model_dump(mode="json") for c in carts.customer_carts(uow, row.id)],
        "timeline": [{"kind": a.kind, "channel": a.channel, "detail": a.detail, "at": a.at.isoformat()} for a in activities],
        "orders": [],  # arrive with the checkout issue
        "returns": [],  # arrive with the returns issue
    }


def erase_customer(uow: Uow, customer_id: str, *, actor: str) -> None:
    """Remove the person: profile fields, identities, addresses and carts go; ledgers stay under the (pseudonymous) id.

    The profiles merged into this one are erased with it; an erased profile refuses every later change and merge.
    """
    row = current_row(uow, customer_id)
    if row.status == CustomerStatus.ERASED:
        message = f"customer {row.id} was already erased"
        raise AlreadyErased(message, fields=[FieldError("customer_id", message, AlreadyErased.code)])
    family = [row.id, *uow.session.scalars(select(Customer.id).where(Customer.merged_into == row.id))]
    now = uow.clock.now()
    claimed = rows_changed(uow.session.execute(update(Customer).where(Customer.id == row.id, Customer.status == CustomerStatus.ACTIVE.value)
                                  .values(status=CustomerStatus.ERASED.value, erased_at=now, updated_at=now,
                                          version=Customer.version + 1, **dict.fromkeys(_PERSONAL))
                                  .execution_options(synchronize_session=False)))
    if claimed != 1:
        raise AlreadyErased(f"customer {row.id} changed meanwhile and cannot be erased now; try again")
    uow.session.execute(update(Customer).where(Customer.id.in_(family[1:])).values(**dict.fromkeys(_PERSONAL), erased_at=now)
                        .execution_options(synchronize_session=False))
    for model in (Identity, Address):
        uow.session.execute(delete(model).where(model.customer_id.in_(family)))  # type: ignore[attr-defined]
    for member in family:
        carts.delete_customer_carts(uow, member)
    _minimise_history(uow, family)
    uow.session.expire_all()
    add_activity(uow, row.id, "erased", actor=actor)
    uow.session.flush()
    uow.record(events.CustomerErased(customer_id=row.id))


def _minimise_history(uow: Uow, family: list[str]) -> None:
    """Consent entries keep purpose, state, time and wording; timelines and merge audits lose free text."""
    uow.session.execute(update(ConsentEntry).where(ConsentEntry.customer_id.in_(family)).values(channel=None)
                        .execution_options(synchronize_session=False))
    uow.session.execute(update(Activity).where(Activity.customer_id.in_(family)).values(detail={})
                        .execution_options(synchronize_session=False))
    uow.session.execute(update(MergeRecord).where(MergeRecord.survivor_id.in_(family) | MergeRecord.merged_id.in_(family))
                        .values(reason="erased", evidence=[]).execution_options(synchronize_session=False))
