"""Bulk import of customers from a legacy CRM (and the demo): multi-row inserts, all rows checked first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from tvers.customers.errors import IdentityTaken
from tvers.customers.loyalty_rules import points_for
from tvers.customers.models import Activity, Address, ConsentEntry, Customer, Identity, LoyaltyAccount, PointsEntry
from tvers.customers.money_schemas import ProgrammeIn
from tvers.customers.schemas import CustomerIn, CustomerStatus, Purpose
from tvers.customers.service._shared import default_region, search_name
from tvers.customers.service.identities import normalise_claims, owners_of
from tvers.customers.service.loyalty import get_programme
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.locales import normalise_locale


@dataclass(frozen=True)
class PastOrder:
    """A completed order from the old system, for loyalty history."""

    order_id: str
    channel: str | None
    currency: str
    amount_minor: int
    completed_at: datetime


@dataclass(frozen=True)
class ImportedCustomer:
    profile: CustomerIn
    granted: Sequence[Purpose] = ()
    orders: Sequence[PastOrder] = field(default_factory=tuple)


def import_customers(uow: Uow, items: Sequence[ImportedCustomer]) -> list[str]:
    """Create profiles with identities, addresses, consents and earned points; an identity already taken refuses the batch."""
    regions = {code: default_region(uow, region=None, channel=code) for code in {i.profile.channel for i in items if i.profile.channel}}
    claims = [normalise_claims(uow, item.profile.identities, channel=item.profile.channel, prefix=f"rows.{i}.identities",
                               region=item.profile.region or regions.get(item.profile.channel or ""))
              for i, item in enumerate(items)]
    taken = owners_of(uow, [c for cs in claims for c in cs])
    if taken:
        errors = [FieldError(c.field, f"this {c.type.value} belongs to a customer", IdentityTaken.code)
                  for cs in claims for c in cs if (c.type.value, c.value) in taken]
        raise IdentityTaken(errors[0].message, fields=errors)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in ("customers", "identities", "addresses", "consents", "activities",
                                                                   "points", "accounts")}
    programme = get_programme(uow)
    ids = [_rows(uow, item, item_claims, rows, programme) for item, item_claims in zip(items, claims, strict=True)]
    models = (("customers", Customer), ("identities", Identity), ("addresses", Address), ("consents", ConsentEntry),
              ("activities", Activity), ("accounts", LoyaltyAccount), ("points", PointsEntry))
    for name, model in models:
        if rows[name]:
            uow.session.execute(insert(model), rows[name])
    return ids


def _rows(uow: Uow, item: ImportedCustomer, claims: Sequence[Any], rows: dict[str, list[dict[str, Any]]],
          programme: ProgrammeIn) -> str:
    now, data, customer_id = uow.clock.now(), item.profile, new_id("cus")
    rows["customers"].append({"id": customer_id, "status": CustomerStatus.ACTIVE.value, "given_name": data.given_name,
                              "family_name": data.family_name, "search_name": search_name(data.given_name, data.family_name),
                              "locale": normalise_locale(data.locale) if data.locale else None, "birth_on": data.birth_on,
                              "notes": data.notes, "created_channel": data.channel, "merged_into": None, "version": 1,
                              "created_at": now, "updated_at": now, "erased_at": None})
    activity = {"customer_id": customer_id, "channel": data.channel, "at": now}
    rows["activities"].append({**activity, "id": new_id("act"), "kind": "created", "detail": {"imported": True}})
    for claim in claims:
        rows["identities"].append({"id": new_id("cid"), "customer_id": customer_id, "type": claim.type.value, "value": claim.value,
                                   "is_verified": claim.is_verified, "channel": data.channel, "created_at": now})
    for address in data.addresses:
        rows["addresses"].append({"id": new_id("adr"), "customer_id": customer_id, "kind": address.kind.value,
                                  "is_default": address.is_default, "lines": list(address.lines), "postal_code": address.postal_code,
                                  "city": address.city, "country": address.country, "created_at": now})
    for purpose in item.granted:
        rows["consents"].append({"id": new_id("cns"), "customer_id": customer_id, "purpose": purpose.value, "is_granted": True,
                                 "channel": data.channel, "wording_version": "imported", "recorded_at": now, "merged_from": None})
    _points_rows(uow, customer_id, item.orders, rows, programme)
    return customer_id


def _points_rows(uow: Uow, customer_id: str, orders: Sequence[PastOrder], rows: dict[str, list[dict[str, Any]]],
                 programme: ProgrammeIn) -> None:
    balance = 0
    for order in orders:
        points = points_for(programme, currency=order.currency, amount_minor=order.amount_minor)
        if points:
            balance += points
            rows["points"].append({"id": new_id("pts"), "customer_id": customer_id, "kind": "earn", "points": points,
                                   "reference": order.order_id, "reason": None, "channel": order.channel, "currency": order.currency,
                                   "amount_minor": order.amount_minor, "at": order.completed_at})
    if balance:
        rows["accounts"].append({"customer_id": customer_id, "balance": balance, "updated_at": uow.clock.now()})
