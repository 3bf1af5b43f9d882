"""Cash tender: no balance to move; the till holds the money, so it is captured as soon as it is taken."""

from __future__ import annotations

from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.payments.providers.base import LocalDebit, TenderResult
from tvers.payments.schemas import TenderCode, TenderIn


class CashProvider:
    code = TenderCode.CASH

    def debit(self, uow: Uow, tender: TenderIn, *, amount: Money, reference: str, customer_id: str | None,
              channel: str | None) -> TenderResult:
        return TenderResult(is_captured=True)

    def restore(self, uow: Uow, debit: LocalDebit) -> None:
        """Cash handed back over the counter: nothing to move here; the ledger records it as a refund."""

    def give_back(self, uow: Uow, debit: LocalDebit, amount: Money, *, reference: str) -> None:
        """Cash paid out at the till; the refund transaction is the record."""
