"""The consent ledger: per purpose, granted or withdrawn, append-only; the current state is the latest entry."""

from __future__ import annotations

from sqlalchemy import select

from tvers.customers import events
from tvers.customers.errors import UnknownPurpose
from tvers.customers.models import ConsentEntry
from tvers.customers.schemas import ConsentEntryOut, ConsentIn, ConsentOut, Purpose
from tvers.customers.service._shared import add_activity, check_channel, current_row, live_row
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id


def record_consent(uow: Uow, customer_id: str, data: ConsentIn) -> ConsentOut:
    purpose = _purpose(data.purpose)
    row = live_row(uow, customer_id)
    channel = check_channel(uow, data.channel)
    entry = ConsentEntry(id=new_id("cns"), customer_id=row.id, purpose=purpose.value, is_granted=data.is_granted,
                         channel=channel, wording_version=data.wording_version, recorded_at=uow.clock.now())
    uow.session.add(entry)
    add_activity(uow, row.id, "consent_granted" if data.is_granted else "consent_withdrawn", channel=channel,
                 purpose=purpose.value, wording_version=data.wording_version)
    uow.session.flush()
    uow.record(events.ConsentChanged(customer_id=row.id, purpose=purpose.value, is_granted=data.is_granted, channel=channel))
    return _state(purpose, entry)


def current_consents(uow: Uow, customer_id: str) -> list[ConsentOut]:
    """One state per purpose; a purpose never asked about is not granted, except one granted by default (order updates)."""
    latest: dict[str, ConsentEntry] = {}
    for entry in _entries(uow, current_row(uow, customer_id).id):
        latest[entry.purpose] = entry
    return [_state(purpose, latest.get(purpose.value)) for purpose in Purpose]


def consent_history(uow: Uow, customer_id: str) -> list[ConsentEntryOut]:
    return [ConsentEntryOut(id=e.id, purpose=Purpose(e.purpose), is_granted=e.is_granted, channel=e.channel,
                            wording_version=e.wording_version, recorded_at=e.recorded_at)
            for e in _entries(uow, current_row(uow, customer_id).id)]


def copy_history(uow: Uow, *, from_customer: str, to_customer: str) -> None:
    """On merge the survivor gets the merged profile's entries, with their original times; nothing is rewritten."""
    for entry in _entries(uow, from_customer):
        uow.session.add(ConsentEntry(id=new_id("cns"), customer_id=to_customer, purpose=entry.purpose, is_granted=entry.is_granted,
                                     channel=entry.channel, wording_version=entry.wording_version,
                                     recorded_at=entry.recorded_at, merged_from=from_customer))


def _entries(uow: Uow, customer_id: str) -> list[ConsentEntry]:
    return list(uow.session.scalars(select(ConsentEntry).where(ConsentEntry.customer_id == customer_id)
                                    .order_by(ConsentEntry.recorded_at, ConsentEntry.id)))


def _purpose(value: str) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        message = f"unknown purpose {value[:40]!r}; one of {', '.join(p.value for p in Purpose)}"
        raise UnknownPurpose(message, fields=[FieldError("purpose", message, UnknownPurpose.code)]) from None


def _state(purpose: Purpose, entry: ConsentEntry | None) -> ConsentOut:
    if entry is None:
        return ConsentOut(purpose=purpose, is_granted=purpose.is_granted_by_default, channel=None, wording_version=None, recorded_at=None)
    return ConsentOut(purpose=purpose, is_granted=entry.is_granted, channel=entry.channel, wording_version=entry.wording_version,
                      recorded_at=entry.recorded_at)
