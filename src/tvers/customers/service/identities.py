"""Identities: normalise what arrives, attach it to a profile, find a profile by any identity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from tvers.customers import events
from tvers.customers.errors import IdentityNotFound, IdentityTaken
from tvers.customers.identity_rules import IdentityType, normalise
from tvers.customers.models import Customer, Identity
from tvers.customers.schemas import CustomerOut, IdentityAddIn, IdentityIn, IdentityOut
from tvers.customers.service._shared import (
    add_activities,
    add_activity,
    check_channel,
    current_row,
    customer_out,
    default_region,
    identity_out,
    live_row,
)
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, TversError
from tvers.kernel.ids import new_id

IDENTITIES = cast(Table, Identity.__table__)
CUSTOMERS = cast(Table, Customer.__table__)


@dataclass(frozen=True)
class Claim:
    """One normalised identity as it arrived."""

    type: IdentityType
    value: str
    is_verified: bool
    field: str


def normalise_claims(uow: Uow, items: Sequence[IdentityIn], *, channel: str | None, region: str | None,
                     prefix: str = "identities") -> list[Claim]:
    """Every item normalised (all errors reported together); duplicates within the request collapse."""
    region = default_region(uow, region=region, channel=channel)
    claims: dict[tuple[IdentityType, str], Claim] = {}
    errors: list[FieldError] = []
    first_error: TversError | None = None
    for index, item in enumerate(items):
        field = f"{prefix}.{index}.value"
        try:
            value = normalise(item.type, item.value, field=field, region=region, channel=channel)
        except TversError as error:  # InvalidIdentity / LooksLikeCardNumber: collect, raise the first kind
            first_error = first_error or error
            errors.extend(getattr(error, "fields", ()))
            continue
        previous = claims.get((item.type, value))
        verified = item.is_verified or (previous.is_verified if previous else False)
        claims[(item.type, value)] = Claim(item.type, value, verified, previous.field if previous else field)
    if first_error is not None:
        first_error.fields = tuple(errors)
        raise first_error
    return list(claims.values())


def owners_of(uow: Uow, claims: Sequence[Claim]) -> dict[tuple[str, str], Identity]:
    """The stored identities matching `claims`, by (type, value): one indexed query."""
    if not claims:
        return {}
    keys = [(c.type.value, c.value) for c in claims]
    rows = uow.session.scalars(select(Identity).where(tuple_(Identity.type, Identity.value).in_(keys))).all()
    return {(row.type, row.value): row for row in rows}


class Owned(NamedTuple):
    """A stored identity matching a claim, with its owner's status and merge pointer as read with it."""

    id: str
    customer_id: str
    type: str
    value: str
    is_verified: bool
    owner_status: str
    owner_merged_into: str | None


_I, _C = IDENTITIES.c, CUSTOMERS.c
# Built once: a tuple IN over an expanding parameter, so each call only binds its keys (the unique (type, value) index answers).
_OWNED = (select(_I.id, _I.customer_id, _I.type, _I.value, _I.is_verified, _C.status, _C.merged_into)
          .join_from(IDENTITIES, CUSTOMERS, _C.id == _I.customer_id)
          .where(tuple_(_I.type, _I.value).in_(bindparam("keys", expanding=True))))
_LOOKUP = (select(_I.customer_id, _C.merged_into).join_from(IDENTITIES, CUSTOMERS, _C.id == _I.customer_id)
           .where(_I.type == bindparam("type"), _I.value == bindparam("value")))


def owned_identities(uow: Uow, claims: Sequence[Claim]) -> dict[tuple[str, str], Owned]:
    """`owners_of` for the hot path: plain rows with the owner's status and pointer, one indexed query and no ORM objects."""
    if not claims:
        return {}
    uow.session.flush()  # a Core statement does not autoflush; pending changes must be visible to it, as to an ORM query
    rows = uow.session.execute(_OWNED, {"keys": [(c.type.value, c.value) for c in claims]}).all()
    return {(row[2], row[3]): Owned(*row) for row in rows}


def attach_identities(uow: Uow, customer_id: str, claims: Sequence[Claim], *, channel: str | None,
                      known: dict[tuple[str, str], Identity] | None = None, created_at: datetime | None = None) -> list[Identity]:
    """Store new identities on a profile; one another profile owns is refused (409) and nothing is kept.

    `known` is what `owners_of` already answered for these claims in this transaction (saves a query).
    `created_at` is set by `new_profile`: the profile's "created" timeline row goes into the same INSERT as the others.
    """
    if not claims and created_at is None:
        return []
    taken = owners_of(uow, claims) if known is None else known
    errors = [FieldError(c.field, f"this {c.type.value} belongs to another customer", IdentityTaken.code)
              for c in claims if (c.type.value, c.value) in taken and taken[(c.type.value, c.value)].customer_id != customer_id]
    if errors:
        raise IdentityTaken(errors[0].message, fields=errors)
    now = uow.clock.now()
    timeline: list[tuple[str, dict[str, Any], datetime]] = [] if created_at is None else [("created", {}, created_at)]
    new = [claim for claim in claims if (claim.type.value, claim.value) not in taken]
    rows: list[dict[str, Any]] = [{"id": new_id("cid"), "customer_id": customer_id, "type": claim.type.value, "value": claim.value,
                                   "is_verified": claim.is_verified, "channel": channel, "created_at": now} for claim in new]
    if rows:
        try:
            uow.session.flush()  # whatever is pending goes first (a new profile these point to), as a flush of them would
            uow.session.execute(insert(IDENTITIES), rows)  # one multi-row INSERT, no unit-of-work bookkeeping
        except IntegrityError:  # a concurrent command took one of them between our check and insert
            raise IdentityTaken("an identity was taken by another customer meanwhile; try again") from None
    timeline += [("identity_added", {"identity_type": claim.type.value}, now) for claim in new]
    if timeline:
        add_activities(uow, customer_id, timeline, channel=channel)
    for claim in new:
        uow.record(events.IdentityAdded(customer_id=customer_id, identity_type=claim.type.value, channel=channel))
    return [Identity(**row) for row in rows]


def add_identity(uow: Uow, customer_id: str, data: IdentityAddIn) -> IdentityOut:
    row = live_row(uow, customer_id)
    channel = check_channel(uow, data.channel)
    claims = normalise_claims(uow, [data], channel=channel, region=data.region, prefix="identity")
    added = attach_identities(uow, row.id, claims, channel=channel)
    if added:
        return identity_out(added[0])
    existing = owners_of(uow, claims)[(claims[0].type.value, claims[0].value)]
    return identity_out(existing)


def remove_identity(uow: Uow, customer_id: str, identity_id: str) -> None:
    row = live_row(uow, customer_id)
    identity = uow.session.get(Identity, identity_id)
    if identity is None or identity.customer_id != row.id:
        raise IdentityNotFound(f"customer {row.id} has no identity {identity_id!r}")
    uow.session.delete(identity)
    add_activity(uow, row.id, "identity_removed", identity_type=identity.type)
    uow.session.flush()


def lookup_customer_id(uow: Uow, kind: IdentityType, value: str, *, channel: str | None = None,
                       region: str | None = None) -> str | None:
    """The id of the profile an identity points to (through merges), or None: one indexed query."""
    stored = normalise(kind, value, field="value", region=default_region(uow, region=region, channel=channel), channel=channel)
    found = uow.core_connection().execute(_LOOKUP, {"type": kind.value, "value": stored}).one_or_none()
    if found is None:
        return None
    return found.customer_id if found.merged_into is None else current_row(uow, found.merged_into).id


def find_by_identity(uow: Uow, kind: IdentityType, value: str, *, channel: str | None = None,
                     region: str | None = None) -> CustomerOut | None:
    """The profile an identity points to (through merges), or None."""
    claims = normalise_claims(uow, [IdentityIn(type=kind, value=value)], channel=channel, region=region, prefix="identity")
    found = owners_of(uow, claims).get((claims[0].type.value, claims[0].value))
    if found is None:
        return None
    return customer_out(uow, current_row(uow, found.customer_id))


def loyalty_card_holders(uow: Uow, customer_ids: Sequence[str]) -> set[str]:
    return set(uow.session.scalars(select(Identity.customer_id).where(
        Identity.customer_id.in_(customer_ids), Identity.type == IdentityType.LOYALTY_CARD.value)))


def customers_by_id(uow: Uow, customer_ids: Sequence[str]) -> dict[str, Customer]:
    return {row.id: row for row in uow.session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
