"""Errors the returns module publishes; messages are safe to show to store staff and customers.

    InvalidInput: EmptyReturn, UnknownReturnLine, InvalidReturnQuantity, InvalidRefundInput
    Conflict:     RefundAboveRemaining
"""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput


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
