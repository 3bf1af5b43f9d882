"""Profile use cases: create, read (through merges), change, addresses, and search for staff."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from tvers.customers import events
from tvers.customers.identity_rules import IdentityType, normalise
from tvers.customers.models import Address, Customer, Identity
from tvers.customers.schemas import AddressIn, AddressOut, CustomerIn, CustomerOut, CustomerPatch, CustomerSearch, CustomerStatus
from tvers.customers.service._shared import (
    add_activity,
    address_out,
    bump_version,
    check_channel,
    current_row,
    customer_out,
    live_row,
    search_name,
)
from tvers.customers.service.identities import Claim, attach_identities, normalise_claims
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, InvalidInput
from tvers.kernel.ids import new_id
from tvers.kernel.locales import normalise_locale
from tvers.kernel.versioning import check_version

MAX_SEARCH = 50


def create_customer(uow: Uow, data: CustomerIn) -> CustomerOut:
    """A new profile with its identities and addresses; an identity someone else owns is a 409."""
    if not data.identities and not (data.given_name or data.family_name):
        message = "a profile needs a name or at least one identity"
        raise InvalidInput(message, code="empty_profile", fields=[FieldError("identities", message, "empty_profile")])
    channel = check_channel(uow, data.channel)
    claims = normalise_claims(uow, data.identities, channel=channel, region=data.region)
    row = new_profile(uow, data, claims, channel=channel)
    for address in data.addresses:
        _add_address_row(uow, row.id, address)
    uow.session.flush()
    return customer_out(uow, row)


def new_profile(uow: Uow, data: CustomerIn, claims: Sequence[Claim], *, channel: str | None,
                known: dict[tuple[str, str], Identity] | None = None) -> Customer:
    """A new profile row with its identities (see `attach_identities`); its timeline starts with "created"."""
    now = uow.clock.now()
    row = Customer(id=new_id("cus"), status=CustomerStatus.ACTIVE.value, given_name=data.given_name,
                   family_name=data.family_name, search_name=search_name(data.given_name, data.family_name),
                   locale=normalise_locale(data.locale) if data.locale else None, birth_on=data.birth_on,
                   notes=data.notes, created_channel=channel, version=1, created_at=now, updated_at=now)
    uow.session.add(row)
    uow.session.flush()
    uow.record(events.CustomerCreated(customer_id=row.id, channel=channel))
    attach_identities(uow, row.id, claims, channel=channel, known=known, created_at=now)
    return row


def get_customer(uow: Uow, customer_id: str) -> CustomerOut:
    """The profile, or the survivor it was merged into (with `resolved_from` set)."""
    return customer_out(uow, current_row(uow, customer_id), asked_for=customer_id)


def active_customer_id(uow: Uow, customer_id: str, *, field: str = "customer_id") -> str:
    """The id that answers for `customer_id` now (through merges); an erased profile is refused."""
    return live_row(uow, customer_id, field=field).id


def update_customer(uow: Uow, customer_id: str, data: CustomerPatch) -> CustomerOut:
    row = live_row(uow, customer_id)
    check_version(row.version, data.version)
    locale = normalise_locale(data.locale) if data.locale is not None else None
    bump_version(uow, row)
    for name in ("given_name", "family_name", "birth_on", "notes"):
        if getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    if locale is not None:
        row.locale = locale
    row.search_name = search_name(row.given_name, row.family_name)
    uow.session.flush()
    uow.record(events.CustomerUpdated(customer_id=row.id, version=row.version))
    return customer_out(uow, row)


def add_address(uow: Uow, customer_id: str, data: AddressIn) -> AddressOut:
    row = live_row(uow, customer_id)
    address = _add_address_row(uow, row.id, data)
    uow.session.flush()
    return address_out(address)


def _add_address_row(uow: Uow, customer_id: str, data: AddressIn) -> Address:
    has_default = uow.session.scalar(select(Address.id).where(Address.customer_id == customer_id, Address.kind == data.kind.value,
                                                              Address.is_default.is_(True)).limit(1))
    is_default = data.is_default or has_default is None  # the first address of a kind is its default
    if data.is_default and has_default is not None:
        uow.session.execute(update(Address).where(Address.customer_id == customer_id, Address.kind == data.kind.value)
                            .values(is_default=False).execution_options(synchronize_session=False))
    row = Address(id=new_id("adr"), customer_id=customer_id, kind=data.kind.value, is_default=is_default, lines=list(data.lines),
                  postal_code=data.postal_code, city=data.city, country=data.country, created_at=uow.clock.now())
    uow.session.add(row)
    add_activity(uow, customer_id, "address_added", address_kind=data.kind.value)
    return row


def search_customers(uow: Uow, query: CustomerSearch, *, limit: int = 20) -> list[CustomerOut]:
    """By name prefix (given or family), email, phone or loyalty card; active profiles only."""
    limit = min(limit, MAX_SEARCH)
    statement = select(Customer).where(Customer.status == CustomerStatus.ACTIVE.value)
    identity = _identity_filter(query)
    if identity is not None:
        kind, raw = identity
        value = normalise(kind, raw, field=kind.value, region=query.region)
        statement = statement.join(Identity, Identity.customer_id == Customer.id).where(Identity.type == kind.value,
                                                                                          Identity.value == value)
    if query.q:
        term = query.q.strip().casefold()
        statement = statement.where(Customer.search_name.startswith(term, autoescape=True)
                                    | Customer.search_name.contains(f" {term}", autoescape=True))
    rows = uow.session.scalars(statement.order_by(Customer.search_name, Customer.id).limit(limit)).all()
    return [customer_out(uow, row) for row in rows]


def _identity_filter(query: CustomerSearch) -> tuple[IdentityType, str] | None:
    for kind, value in ((IdentityType.EMAIL, query.email), (IdentityType.PHONE, query.phone),
                        (IdentityType.LOYALTY_CARD, query.loyalty_card)):
        if value:
            return kind, value
    return None
