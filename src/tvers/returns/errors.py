"""Errors the returns module publishes; messages are safe to show to store staff and customers.

    NotFound:     ReturnNotFound
    InvalidInput: EmptyReturn, UnknownReturnLine, InvalidReturnQuantity, InvalidRefundInput, LineNotFulfilled,
                  OutsideReturnWindow, FinalSale, ReturnsNotAccepted, InvalidReceipt, ExchangeDifferenceUnpaid, NotAnExchange,
                  ReceiptlessNotAllowed, NotBoughtByCustomer, CashNeedsATill
    Conflict:     RefundAboveRemaining, ReturnAlreadyReceived, IllegalReturnTransition, ReturnNotCancellable,
                  ReturnAuthorisationExpired, ReturnCancelled, NoFailedRefund, NothingToSendBack
    NotAllowed:   OverrideNotAllowed
"""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound


class EmptyReturn(InvalidInput):
    code = "empty_return"


class UnknownReturnLine(InvalidInput):
    code = "unknown_return_line"


class InvalidReturnQuantity(InvalidInput):
    """More units than were handed over and not yet returned, or a line returned twice in one return."""

    code = "invalid_return_quantity"


class InvalidRefundInput(InvalidInput):
    """The order, tenders or policy handed to the refund calculation do not hang together."""

    code = "invalid_refund_input"


class RefundAboveRemaining(Conflict):
    """The refund is more than the order's payments have captured and not yet refunded."""

    code = "refund_above_remaining"


class ReturnNotFound(NotFound):
    code = "return_not_found"


class LineNotFulfilled(InvalidInput):
    """Nothing of the line has been shipped or handed over yet: cancel it instead."""

    code = "line_not_fulfilled"


class OutsideReturnWindow(InvalidInput):
    code = "outside_return_window"


class FinalSale(InvalidInput):
    code = "final_sale"


class OverrideNotAllowed(NotAllowed):
    """Only admins and store staff may override a return policy."""

    code = "override_not_allowed"


class ReturnsNotAccepted(InvalidInput):
    """The location does not take returns in (its `accepts_returns` capability is off)."""

    code = "returns_not_accepted"


class InvalidReceipt(InvalidInput):
    """The units inspected do not match the units of the return."""

    code = "invalid_receipt"


class ReturnAlreadyReceived(Conflict):
    code = "return_already_received"


class ExchangeDifferenceUnpaid(InvalidInput):
    """The replacement costs more than the returned units give it, and the tenders given do not pay the difference exactly."""

    code = "exchange_difference_unpaid"


class NotAnExchange(InvalidInput):
    """Tenders were given with the receipt of a return that exchanges nothing."""

    code = "not_an_exchange"


class ReceiptlessNotAllowed(InvalidInput):
    """The policy of the channel the goods were sold on takes no returns without a receipt (`receiptless` = none)."""

    code = "receiptless_not_allowed"


class NotBoughtByCustomer(InvalidInput):
    """A receipt-less return names a SKU the customer has no handed-over units of, on any channel."""

    code = "not_bought_by_customer"


class IllegalReturnTransition(Conflict):
    """A move the return state machine does not allow (`returns.return_states`)."""

    code = "illegal_return_transition"


class ReturnNotCancellable(Conflict):
    """Only a return asked for and not yet received (nor expired) can be cancelled."""

    code = "return_not_cancellable"


class ReturnAuthorisationExpired(Conflict):
    """The authorisation ran out before the goods came in; staff may receive it anyway with an override and a reason."""

    code = "return_authorisation_expired"


class ReturnCancelled(Conflict):
    code = "return_cancelled"


class NoFailedRefund(Conflict):
    """Only a return whose refund a provider declined (`refund_failed`) has a part to retry."""

    code = "no_failed_refund"


class NothingToSendBack(Conflict):
    """The location holds no returned resellable units that were not sent back already."""

    code = "nothing_to_send_back"


class CashNeedsATill(InvalidInput):
    """A guest's cash sale received where no cash can be handed back: it has no store credit to go to."""

    code = "cash_needs_a_till"
