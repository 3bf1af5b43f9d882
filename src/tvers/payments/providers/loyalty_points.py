"""Loyalty points tender: points burnt at the value the loyalty programme gives them; given back in whole or in part."""

from __future__ import annotations

from tvers.customers import service as customers
from tvers.customers.money_schemas import RedeemPointsIn
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.money import Money
from tvers.payments.errors import PointsValueMismatch, TenderNeedsCustomer
from tvers.payments.providers.base import LocalDebit, TenderResult
from tvers.payments.schemas import PointsTender, TenderCode, TenderIn


class LoyaltyPointsProvider:
    code = TenderCode.LOYALTY_POINTS

    def debit(self, uow: Uow, tender: TenderIn, *, amount: Money, reference: str, customer_id: str | None,
              channel: str | None) -> TenderResult:
        assert isinstance(tender, PointsTender)
        if customer_id is None:
            raise TenderNeedsCustomer("loyalty points belong to a customer; the order has none")
        _check_value(uow, tender.points, amount)
        customers.redeem_points(uow, customer_id, RedeemPointsIn(points=tender.points, currency=amount.currency,
                                                                 reference=reference, channel=channel))
        return TenderResult(provider_reference=customer_id, points=tender.points)

    def restore(self, uow: Uow, debit: LocalDebit) -> None:
        customers.restore_points(uow, debit.payment_id)

    def give_back(self, uow: Uow, debit: LocalDebit, amount: Money, *, reference: str) -> None:
        # Part or all of the burn, by the refund's own key: the points in proportion to the value, cumulatively.
        customers.give_back_points(uow, burn_reference=debit.payment_id, value_minor=amount.minor, reference=reference)


def _check_value(uow: Uow, points: int, amount: Money) -> None:
    per_point = customers.get_programme(uow).point_value_minor.get(amount.currency)
    if per_point is not None and per_point * points != amount.minor:
        worth = Money(per_point * points, amount.currency)
        message = f"{points} points are worth {worth}, not {amount}"
        raise PointsValueMismatch(message, fields=[FieldError("amount", message, PointsValueMismatch.code)])
