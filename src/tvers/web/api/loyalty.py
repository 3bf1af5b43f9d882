"""Loyalty and store-credit routes: the programme, balances, adjustments, and the tender pairs checkouts call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tvers.channels.access import Permission, Principal
from tvers.customers import service as customers
from tvers.customers.money_schemas import (
    AdjustPointsIn,
    LoyaltyOut,
    PointsEntryOut,
    ProgrammeIn,
    ProgrammeOut,
    RedeemPointsIn,
    RedemptionOut,
    StoreCreditIn,
    StoreCreditOut,
    StoreCreditRedeemIn,
)
from tvers.web.api.common import api_router
from tvers.web.api.customers import own_channel
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, requires

router = api_router("loyalty")

Read = Annotated[Principal, Depends(requires(Permission.CUSTOMERS_READ))]
Manage = Annotated[Principal, Depends(requires(Permission.LOYALTY_MANAGE))]
Tender = Annotated[Principal, Depends(requires(Permission.TENDERS_REDEEM))]
CreditManage = Annotated[Principal, Depends(requires(Permission.STORE_CREDIT_MANAGE))]


@router.get("/loyalty/programme", response_model=ProgrammeOut)
def get_programme(uow: ReadUowDep, _: Read) -> ProgrammeOut:
    with uow:
        return customers.get_programme(uow)


@router.put("/loyalty/programme", response_model=ProgrammeOut)
def set_programme(body: ProgrammeIn, uow: UowDep, _: Manage) -> ProgrammeOut:
    with uow:
        programme = customers.set_programme(uow, body)
        uow.commit()
    return programme


@router.get("/customers/{customer_id}/loyalty", response_model=LoyaltyOut)
def loyalty_summary(customer_id: str, uow: ReadUowDep, _: Read) -> LoyaltyOut:
    with uow:
        return customers.loyalty_summary(uow, customer_id)


@router.get("/customers/{customer_id}/loyalty/points", response_model=list[PointsEntryOut])
def points_history(customer_id: str, uow: ReadUowDep, _: Read) -> list[PointsEntryOut]:
    with uow:
        return customers.points_history(uow, customer_id)


@router.post("/customers/{customer_id}/loyalty/adjustments", response_model=LoyaltyOut)
def adjust_points(customer_id: str, body: AdjustPointsIn, uow: UowDep, principal: Manage, __: IdempotencyKey = None) -> LoyaltyOut:
    with uow:
        customers.adjust_points(uow, customer_id, body, actor=principal.key_id)
        summary = customers.loyalty_summary(uow, customer_id)
        uow.commit()
    return summary


@router.post("/customers/{customer_id}/loyalty/redemptions", status_code=201, response_model=RedemptionOut)
def redeem_points(customer_id: str, body: RedeemPointsIn, uow: UowDep, principal: Tender, __: IdempotencyKey = None) -> RedemptionOut:
    """Burn points as a tender; the same `reference` burns once."""
    data = body.model_copy(update={"channel": own_channel(principal, body.channel)})
    with uow:
        redemption = customers.redeem_points(uow, customer_id, data)
        uow.commit()
    return redemption


@router.post("/loyalty/redemptions/{reference}/restore", response_model=RedemptionOut)
def restore_points(reference: str, uow: UowDep, _: Tender, __: IdempotencyKey = None) -> RedemptionOut:
    with uow:
        restored = customers.restore_points(uow, reference)
        uow.commit()
    return restored


@router.get("/customers/{customer_id}/store-credit", response_model=StoreCreditOut)
def store_credit(customer_id: str, uow: ReadUowDep, _: Read) -> StoreCreditOut:
    with uow:
        return customers.store_credit_of(uow, customer_id)


@router.post("/customers/{customer_id}/store-credit", status_code=201, response_model=StoreCreditOut)
def issue_store_credit(customer_id: str, body: StoreCreditIn, uow: UowDep, _: CreditManage, __: IdempotencyKey = None) -> StoreCreditOut:
    with uow:
        credit = customers.issue_store_credit(uow, customer_id, body)
        uow.commit()
    return credit


@router.post("/customers/{customer_id}/store-credit/redemptions", response_model=StoreCreditOut)
def redeem_store_credit(customer_id: str, body: StoreCreditRedeemIn, uow: UowDep, principal: Tender,
                        __: IdempotencyKey = None) -> StoreCreditOut:
    data = body.model_copy(update={"channel": own_channel(principal, body.channel)})
    with uow:
        credit = customers.redeem_store_credit(uow, customer_id, data)
        uow.commit()
    return credit


@router.post("/store-credit/redemptions/{reference}/restore", response_model=StoreCreditOut)
def restore_store_credit(reference: str, uow: UowDep, _: Tender, __: IdempotencyKey = None) -> StoreCreditOut:
    with uow:
        credit = customers.restore_store_credit(uow, reference)
        uow.commit()
    return credit
