"""Errors the fulfilment module publishes."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound


class TaskNotFound(NotFound):
    code = "task_not_found"


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


class IllegalTaskTransition(Conflict):
    code = "illegal_transition"


class TaskLineNotFound(NotFound):
    code = "task_line_not_found"


class InvalidFulfilmentQuantity(InvalidInput):
    """Shipping, handing over or rejecting more units than the task has open."""

    code = "invalid_quantity"


class WrongPickupCode(InvalidInput):
    """A code (or identity) that does not match: a 422, so a till can show the field, never a permissions error."""

    code = "wrong_pickup_code"


class WaitingForTransfer(Conflict):
    code = "waiting_for_transfer"


class OrderNotFulfillable(Conflict):
    """The order is on hold, cancelled or not yet paid: its tasks wait."""

    code = "order_not_fulfillable"
