"""Errors the orders module publishes."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"


class OrderLineNotFound(NotFound):
    code = "order_line_not_found"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class OrderNotEditable(Conflict):
    """Cancelling or editing lines after they were fulfilled (or the order closed)."""

    code = "order_not_editable"


class InvalidCancellation(InvalidInput):
    code = "invalid_cancellation"


class DuplicateExternalOrder(Conflict):
    code = "duplicate_external_order"
