"""Errors the payments module publishes; a declined card is a result, not one of these.

    InvalidInput: TendersDoNotAddUp, TenderCurrencyMismatch, ChangeOnlyFromCash, UnknownTender,
                  InvalidCardNumber, TenderNeedsCustomer, InvalidAmount (payments)
    NotFound:     PaymentNotFound
    Conflict:     PointsValueMismatch, NothingToCapture, NothingToRefund, NothingToVoid, PaymentsAlreadyOpen,
                  ResultDoesNotMatch
    ExternalFailure: ProviderUnavailable (retryable)
"""

from __future__ import annotations

from tvers.kernel.errors import Conflict, ExternalFailure, InvalidInput, NotFound


class TendersDoNotAddUp(InvalidInput):
    code = "tenders_do_not_add_up"


class TenderCurrencyMismatch(InvalidInput):
    code = "tender_currency_mismatch"


class ChangeOnlyFromCash(InvalidInput):
    """Tenders may exceed the total only by cash given last: the change comes out of the till."""

    code = "change_only_from_cash"


class UnknownTender(InvalidInput):
    code = "unknown_tender"


class InvalidCardNumber(InvalidInput):
    code = "invalid_card_number"


class TenderNeedsCustomer(InvalidInput):
    code = "tender_needs_customer"


class InvalidPaymentAmount(InvalidInput):
    code = "invalid_payment_amount"


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class PointsValueMismatch(Conflict):
    code = "points_value_mismatch"


class PaymentsAlreadyOpen(Conflict):
    code = "payments_already_open"


class NothingToCapture(Conflict):
    code = "nothing_to_capture"


class NothingToRefund(Conflict):
    code = "nothing_to_refund"


class NothingToVoid(Conflict):
    code = "nothing_to_void"



class ResultDoesNotMatch(Conflict):
    """A provider result names a transaction this database does not have, or already settled otherwise."""

    code = "result_does_not_match"


class ProviderUnavailable(ExternalFailure):
    code = "payment_provider_unavailable"
