"""Customer routes: profiles, identities, resolution, merges, consent, export, erasure and the customer view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from tvers.channels.access import Permission, Principal
from tvers.customers import service as customers
from tvers.customers.errors import CustomerNotFound
from tvers.customers.identity_rules import IdentityType
from tvers.customers.merge_rules import MergePolicy
from tvers.customers.schemas import (
    AddressIn,
    AddressOut,
    ArrivalIn,
    ConsentEntryOut,
    ConsentIn,
    ConsentOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    CustomerSearch,
    IdentityAddIn,
    IdentityOut,
    MergeIn,
    MergeOut,
    ResolutionOut,
)
from tvers.customers.view_schemas import CustomerView
from tvers.kernel.errors import FieldError
from tvers.orders import service as orders
from tvers.orders.schemas import OrderFilter
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, TversDep, UowDep, check_channel_scope, requires
from tvers.workflows import receiptless_returns

router = api_router("customers")

Read = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_READ))]
Write = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_WRITE))]
Resolve = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_RESOLVE))]
Merge = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_MERGE))]
Export = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_EXPORT))]
Erase = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_ERASE))]
ConsentWrite = Annotated[Principal, Depends(requires(Permission.CONSENTS_WRITE))]
Text = Annotated[str | None, Query(max_length=200)]
VIEW_RETURNS = 50  # as many as the latest orders it shows; `GET /customers/{id}/returns` has them all


def own_channel(principal: Principal, channel: str | None) -> str | None:
    """An integration acts for its own channel only (and that is the default); others name any channel."""
    if channel is not None:
        check_channel_scope(principal, channel)
    return channel or principal.channel_code


@router.post("/customers", status_code=201, response_model=CustomerOut)
def create_customer(body: CustomerIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> CustomerOut:
    with uow:
        created = customers.create_customer(uow, body)
        uow.commit()
    return created


@router.get("/customers", response_model=list[CustomerOut])
def search_customers(uow: ReadUowDep, _: Read, q: Text = None, email: Text = None, phone: Text = None, loyalty_card: Text = None,
                     region: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
                     limit: Annotated[int, Query(ge=1, le=50)] = 20) -> list[CustomerOut]:
    """Find a customer by name, email, phone or loyalty card number (store staff serve any customer)."""
    with uow:
        return customers.search_customers(uow, CustomerSearch(q=q, email=email, phone=phone, loyalty_card=loyalty_card,
                                                              region=region), limit=limit)


@router.get("/customers/lookup", response_model=CustomerOut)
def lookup_customer(uow: ReadUowDep, _: Read, type: IdentityType,
                    value: Annotated[str, Query(min_length=1, max_length=320)],
                    channel: Annotated[str | None, Query(max_length=64, description="For marketplace buyer ids and phone regions.")] = None,
                    region: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None) -> CustomerOut:
    """The profile any identity points to (email, phone, loyalty card, fingerprint, buyer id, handle, device)."""
    with uow:
        found = customers.find_by_identity(uow, type, value, channel=channel, region=region)
    if found is None:
        message = f"no customer has this {type.value}"
        raise CustomerNotFound(message, fields=[FieldError("value", message, CustomerNotFound.code)])
    return found


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(customer_id: str, uow: ReadUowDep, _: Read) -> CustomerOut:
    """A merged profile's id answers with the survivor (`resolved_from` says so)."""
    with uow:
        return customers.get_customer(uow, customer_id)


@router.patch("/customers/{customer_id}", response_model=CustomerOut)
def update_customer(customer_id: str, body: CustomerPatch, uow: UowDep, _: Write) -> CustomerOut:
    with uow:
        updated = customers.update_customer(uow, customer_id, body)
        uow.commit()
    return updated


@router.post("/customers/{customer_id}/identities", status_code=201, response_model=IdentityOut)
def add_identity(customer_id: str, body: IdentityAddIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> IdentityOut:
    with uow:
        identity = customers.add_identity(uow, customer_id, body)
        uow.commit()
    return identity


@router.post("/customers/{customer_id}/addresses", status_code=201, response_model=AddressOut)
def add_address(customer_id: str, body: AddressIn, uow: UowDep, _: Write, __: IdempotencyKey = None) -> AddressOut:
    with uow:
        address = customers.add_address(uow, customer_id, body)
        uow.commit()
    return address


@router.post("/customers/resolve", response_model=ResolutionOut)
def resolve(body: ArrivalIn, uow: UowDep, tvers: TversDep, principal: Resolve, __: IdempotencyKey = None) -> ResolutionOut:
    """Which profile a cart, order, sign-up or event belongs to; creates or merges profiles as the merge policy allows."""
    arrival = body.model_copy(update={"channel": own_channel(principal, body.channel)})
    with uow:
        result = customers.resolve(uow, arrival, policy=MergePolicy.parse(tvers.settings.customer_merge_on))
        uow.commit()
    return result


@router.post("/customers/{customer_id}/merges", status_code=201, response_model=MergeOut)
def merge_customers(customer_id: str, body: MergeIn, uow: UowDep, principal: Merge, __: IdempotencyKey = None) -> MergeOut:
    """Staff merge `merged_id` into this profile with the same machinery as automatic merges."""
    with uow:
        merged = customers.merge_customers(uow, survivor_id=customer_id, merged_id=body.merged_id, reason=body.reason,
                                           actor=principal.key_id)
        uow.commit()
    return merged


@router.get("/customers/{customer_id}/merges", response_model=list[MergeOut])
def list_merges(customer_id: str, uow: ReadUowDep, _: Read) -> list[MergeOut]:
    with uow:
        return customers.list_merges(uow, customers.get_customer(uow, customer_id).id)


@router.post("/customers/{customer_id}/consents", status_code=201, response_model=ConsentOut)
def record_consent(customer_id: str, body: ConsentIn, uow: UowDep, principal: ConsentWrite, __: IdempotencyKey = None) -> ConsentOut:
    data = body.model_copy(update={"channel": own_channel(principal, body.channel)})
    with uow:
        state = customers.record_consent(uow, customer_id, data)
        uow.commit()
    return state


@router.get("/customers/{customer_id}/consents", response_model=list[ConsentOut])
def current_consents(customer_id: str, uow: ReadUowDep, _: Read) -> list[ConsentOut]:
    with uow:
        return customers.current_consents(uow, customer_id)


@router.get("/customers/{customer_id}/consents/history", response_model=list[ConsentEntryOut])
def consent_history(customer_id: str, uow: ReadUowDep, _: Read) -> list[ConsentEntryOut]:
    with uow:
        return customers.consent_history(uow, customer_id)


@router.get("/customers/{customer_id}/export")
def export_customer(customer_id: str, uow: ReadUowDep, _: Export) -> dict[str, Any]:
    """Everything held about the customer as one JSON document (admins only)."""
    with uow:
        return customers.export_customer(uow, customer_id)


@router.post("/customers/{customer_id}/erase", status_code=204)
def erase_customer(customer_id: str, uow: UowDep, principal: Erase) -> None:
    """Remove personal data for good; ledgers stay under the pseudonymous id. Erasing twice is a 409."""
    with uow:
        customers.erase_customer(uow, customer_id, actor=principal.key_id)
        uow.commit()


@router.get("/customers/{customer_id}/view", response_model=CustomerView)
def customer_view(customer_id: str, uow: ReadUowDep, _: Read) -> CustomerView:
    """One customer across every channel: profile, identities, consents, loyalty, balances, carts, the latest orders of every
    channel, the timeline, the latest returns from every channel."""
    with uow:
        view = customers.customer_view(uow, customer_id)
        latest = orders.list_orders(uow, OrderFilter(customer_id=view.profile.id), limit=50)
        returned = receiptless_returns.customer_returns(uow, view.profile.id)
        return view.model_copy(update={"orders": [order.model_dump(mode="json") for order in latest.items],
                                       "returns": [item.model_dump(mode="json") for item in returned[:VIEW_RETURNS]]})
