"""Store credit tender: spent from the customer's balance in the order's currency; given back as credit."""

from __future__ import annotations

from tvers.customers import service as customers
from tvers.customers.money_schemas import StoreCreditIn, StoreCreditRedeemIn
from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.payments.errors import TenderNeedsCustomer
from tvers.payments.providers.base import LocalDebit, TenderResult
from tvers.payments.schemas import TenderCode, TenderIn


class StoreCreditProvider:
    code = TenderCode.STORE_CREDIT

    def debit(self, uow: Uow, tender: TenderIn, *, amount: Money, reference: str, customer_id: str | None,
              channel: str | None) -> TenderResult:
        if customer_id is None:
            raise TenderNeedsCustomer("store credit belongs to a customer; the order has none")
        customers.redeem_store_credit(uow, customer_id, StoreCreditRedeemIn(amount=amount.amount, currency=amount.currency,
                                                                            reference=reference, channel=channel))
        return TenderResult(provider_reference=customer_id)

    def restore(self, uow: Uow, debit: LocalDebit) -> None:
        customers.restore_store_credit(uow, debit.payment_id)

    def give_back(self, uow: Uow, debit: LocalDebit, amount: Money, *, reference: str) -> None:
        assert debit.customer_id is not None
        customers.issue_store_credit(uow, debit.customer_id, StoreCreditIn(
            amount=amount.amount, currency=amount.currency, reason=f"refund of payment {debit.payment_id}", reference=reference,
            channel=debit.channel))
