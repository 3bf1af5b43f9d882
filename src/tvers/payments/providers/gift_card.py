"""Gift card tender: redeemed from the card in the caller's transaction, given back to the same card."""

from __future__ import annotations

from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardRedeemIn, GiftCardRefundIn
from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.payments.providers.base import LocalDebit, TenderResult
from tvers.payments.schemas import GiftCardTender, TenderCode, TenderIn


class GiftCardProvider:
    code = TenderCode.GIFT_CARD

    def debit(self, uow: Uow, tender: TenderIn, *, amount: Money, reference: str, customer_id: str | None,
              channel: str | None) -> TenderResult:
        assert isinstance(tender, GiftCardTender)
        card = customers.redeem_gift_card(uow, GiftCardRedeemIn(code=tender.code, amount=amount.amount, currency=amount.currency,
                                                                reference=reference, channel=channel))
        return TenderResult(provider_reference=card.id)

    def restore(self, uow: Uow, debit: LocalDebit) -> None:
        self.give_back(uow, debit, debit.amount, reference=f"{debit.payment_id}:restore")

    def give_back(self, uow: Uow, debit: LocalDebit, amount: Money, *, reference: str) -> None:
        assert debit.provider_reference is not None, "a gift card payment keeps its card id"
        customers.refund_to_gift_card(uow, debit.provider_reference, GiftCardRefundIn(
            amount=amount.amount, currency=amount.currency, reference=reference, channel=debit.channel))
