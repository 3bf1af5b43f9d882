"""Order use cases; each takes the unit of work and never commits."""

from tvers.orders.service._shared import line_rows as line_rows
from tvers.orders.service.cancellation import cancel_lines
from tvers.orders.service.editing import editable_order, replace_lines
from tvers.orders.service.fulfilling import check_fulfillable, complete_fulfilled, fulfil_units, fulfilled_value, start_fulfilment
from tvers.orders.service.listing import customer_order_ids, list_orders
from tvers.orders.service.merging import move_customer_orders
from tvers.orders.service.numbers import next_order_number, next_order_number_unless_ordered
from tvers.orders.service.placing import (
    PlacedOrder,
    confirm_placed_order,
    create_order,
    existing_order_id,
    get_order,
    lock_order,
    place_order,
    stalled_checkouts,
    statuses_of,
)
from tvers.orders.service.status import (
    confirm_order,
    fail_order_payment,
    fulfil_on_the_spot,
    hold_order,
    open_total,
    open_total_of,
    release_order,
)

__all__ = [
    "PlacedOrder",
    "cancel_lines",
    "check_fulfillable",
    "complete_fulfilled",
    "fulfil_units",
    "fulfilled_value",
    "start_fulfilment",
    "confirm_placed_order",
    "confirm_order",
    "create_order",
    "customer_order_ids",
    "editable_order",
    "existing_order_id",
    "fail_order_payment",
    "fulfil_on_the_spot",
    "get_order",
    "lock_order",
    "hold_order",
    "line_rows",
    "list_orders",
    "move_customer_orders",
    "next_order_number",
    "next_order_number_unless_ordered",
    "open_total",
    "open_total_of",
    "place_order",
    "release_order",
    "replace_lines",
    "stalled_checkouts",
    "statuses_of",
]
