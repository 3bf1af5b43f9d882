"""Gift card routes: issue (code shown once), balance by code, redeem, refund to, void."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field

from tvers.channels.access import Permission, Principal
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardEntryOut, GiftCardIssued, GiftCardIssueIn, GiftCardOut, GiftCardRedeemIn, GiftCardRefundIn
from tvers.web.api.common import api_router
from tvers.web.api.customers import own_channel
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, requires

router = api_router("gift cards")

Manage = Annotated[Principal, Depends(requires(Permission.GIFT_CARDS_MANAGE))]
Tender = Annotated[Principal, Depends(requires(Permission.TENDERS_REDEEM))]


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=8, max_length=64)


@router.post("/gift-cards", status_code=201, response_model=GiftCardIssued)
def issue_gift_card(body: GiftCardIssueIn, uow: UowDep, _: Manage, __: IdempotencyKey = None) -> GiftCardIssued:
    """The code is in this response only; Tvers keeps its SHA-256 digest and the last four characters."""
    with uow:
        issued = customers.issue_gift_card(uow, body)
        uow.commit()
    return issued


@router.get("/gift-cards/{gift_card_id}", response_model=GiftCardOut)
def get_gift_card(gift_card_id: str, uow: ReadUowDep, _: Manage) -> GiftCardOut:
    with uow:
        return customers.get_gift_card(uow, gift_card_id)


@router.get("/gift-cards/{gift_card_id}/entries", response_model=list[GiftCardEntryOut])
def gift_card_entries(gift_card_id: str, uow: ReadUowDep, _: Manage) -> list[GiftCardEntryOut]:
    with uow:
        return customers.gift_card_entries(uow, gift_card_id)


@router.post("/gift-cards/{gift_card_id}/void", response_model=GiftCardOut)
def void_gift_card(gift_card_id: str, uow: UowDep, _: Manage, __: IdempotencyKey = None) -> GiftCardOut:
    with uow:
        card = customers.void_gift_card(uow, gift_card_id)
        uow.commit()
    return card


@router.post("/gift-cards/balance", response_model=GiftCardOut)
def check_gift_card(body: CodeIn, uow: ReadUowDep, _: Tender) -> GiftCardOut:
    """Balance by code (POST keeps the code out of URLs and logs)."""
    with uow:
        return customers.check_gift_card(uow, body.code)


@router.post("/gift-cards/redemptions", response_model=GiftCardOut)
def redeem_gift_card(body: GiftCardRedeemIn, uow: UowDep, principal: Tender, __: IdempotencyKey = None) -> GiftCardOut:
    """Take an amount off the card; the same `reference` takes it once. Too little, expired or another currency: 409/422."""
    data = body.model_copy(update={"channel": own_channel(principal, body.channel)})
    with uow:
        card = customers.redeem_gift_card(uow, data)
        uow.commit()
    return card


@router.post("/gift-cards/{gift_card_id}/refunds", response_model=GiftCardOut)
def refund_to_gift_card(gift_card_id: str, body: GiftCardRefundIn, uow: UowDep, principal: Tender,
                        __: IdempotencyKey = None) -> GiftCardOut:
    data = body.model_copy(update={"channel": own_channel(principal, body.channel)})
    with uow:
        card = customers.refund_to_gift_card(uow, gift_card_id, data)
        uow.commit()
    return card
