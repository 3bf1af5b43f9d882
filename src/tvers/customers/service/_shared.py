"""Helpers the customer use cases share: rows that raise, the merge pointer, timeline, output mapping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from tvers.channels import service as channels
from tvers.customers.errors import CustomerErased, CustomerNotFound
from tvers.customers.models import Activity, Address, Customer, Identity
from tvers.customers.schemas import AddressKind, AddressOut, CustomerOut, CustomerStatus, IdentityOut
from tvers.db.rows import rows_changed as rows_changed
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.versioning import StaleVersion

MAX_POINTER_HOPS = 16
ACTIVITIES = cast(Table, Activity.__table__)


def customer_row(uow: Uow, customer_id: str, *, field: str = "customer_id") -> Customer:
    """The row asked for, merged or not."""
    row = uow.session.get(Customer, customer_id)
    if row is None:
        message = f"no customer {customer_id!r}"
        raise CustomerNotFound(message, fields=[FieldError(field, message, CustomerNotFound.code)])
    return row


def current_row(uow: Uow, customer_id: str, *, field: str = "customer_id") -> Customer:
    """The profile that answers for `customer_id`: itself, or the survivor it was merged into."""
    row = customer_row(uow, customer_id, field=field)
    for _ in range(MAX_POINTER_HOPS):
        if row.merged_into is None:
            return row
        row = customer_row(uow, row.merged_into, field=field)
    raise RuntimeError(f"merge pointers of {customer_id} do not end")


def live_row(uow: Uow, customer_id: str, *, field: str = "customer_id") -> Customer:
    """The current profile, refusing an erased one: erased profiles take no further changes."""
    row = current_row(uow, customer_id, field=field)
    if row.status == CustomerStatus.ERASED:
        message = f"customer {row.id} was erased"
        raise CustomerErased(message, fields=[FieldError(field, message, CustomerErased.code)])
    return row


def bump_version(uow: Uow, row: Customer) -> None:
    """Claim the row for this change by a conditional UPDATE; a concurrent change or erasure makes it 409."""
    changed = rows_changed(uow.session.execute(
        update(Customer).where(Customer.id == row.id, Customer.version == row.version, Customer.status == CustomerStatus.ACTIVE)
        .values(version=Customer.version + 1, updated_at=uow.clock.now()).execution_options(synchronize_session=False)
    ))
    if changed != 1:
        raise StaleVersion(f"customer {row.id} changed meanwhile; read it again")
    uow.session.refresh(row)


def check_channel(uow: Uow, code: str | None, *, field: str = "channel") -> str | None:
    """A known channel code (or None); its country is the default phone region."""
    if code is None:
        return None
    channels.get_channel_row(uow, code)
    return code


def default_region(uow: Uow, *, region: str | None, channel: str | None) -> str | None:
    if region is not None or channel is None:
        return region
    return channels.channel_ref(uow, channel).country


def add_activity(uow: Uow, customer_id: str, kind: str, *, channel: str | None = None, **detail: Any) -> None:
    uow.session.add(Activity(id=new_id("act"), customer_id=customer_id, kind=kind, channel=channel, detail=detail,
                             at=uow.clock.now()))


def add_activities(uow: Uow, customer_id: str, entries: Sequence[tuple[str, dict[str, Any], datetime]], *,
                   channel: str | None) -> None:
    """Timeline rows (kind, detail, at) written at once: one INSERT, no ORM objects. `add_activity` adds one among ORM changes."""
    uow.session.execute(insert(ACTIVITIES), [{"id": new_id("act"), "customer_id": customer_id, "kind": kind, "channel": channel,
                                              "detail": detail, "at": at} for kind, detail, at in entries])


def customer_out(uow: Uow, row: Customer, *, asked_for: str | None = None) -> CustomerOut:
    identities = uow.session.scalars(select(Identity).where(Identity.customer_id == row.id).order_by(Identity.id)).all()
    addresses = uow.session.scalars(select(Address).where(Address.customer_id == row.id).order_by(Address.id)).all()
    return CustomerOut(
        id=row.id, status=CustomerStatus(row.status), given_name=row.given_name, family_name=row.family_name,
        locale=row.locale, birth_on=row.birth_on, notes=row.notes, created_channel=row.created_channel,
        identities=[identity_out(i) for i in identities], addresses=[address_out(a) for a in addresses],
        version=row.version, created_at=row.created_at, updated_at=row.updated_at,
        resolved_from=asked_for if asked_for and asked_for != row.id else None,
    )


def identity_out(row: Identity) -> IdentityOut:
    return IdentityOut(id=row.id, type=row.type, value=row.value, is_verified=row.is_verified,  # type: ignore[arg-type]
                       channel=row.channel, created_at=row.created_at)


def address_out(row: Address) -> AddressOut:
    return AddressOut(id=row.id, kind=AddressKind(row.kind), lines=list(row.lines), postal_code=row.postal_code,
                      city=row.city, country=row.country, is_default=row.is_default)


def search_name(given: str | None, family: str | None) -> str | None:
    joined = " ".join(part for part in (given, family) if part)
    return joined.casefold() or None
