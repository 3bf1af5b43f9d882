"""Returns use cases; each takes the unit of work and never commits. The refund figures come from `returns.refunds` (pure)."""

from tvers.returns.service.authorisations import admit_receipt, authorise, cancel, expire_due, find_by_number
from tvers.returns.service.policies import BUILT_IN, list_policies, policy_for, set_policy
from tvers.returns.service.receiptless import UnitsLeft, is_inside_window, take_units, units_left
from tvers.returns.service.returning import (
    ReceivedUnits,
    ReturnableOrder,
    SoldUnits,
    announce_exchange,
    announce_goodwill_refund,
    announce_receipt,
    exchange_of,
    get_return,
    open_return,
    receive,
    record_refund,
    refunded_so_far,
    returned_quantities,
    returns_of_order,
    returns_of_orders,
    set_exchange,
)
from tvers.returns.service.send_backs import UnitsToSendBack, mark_sent_back, units_to_send_back

__all__ = [
    "UnitsToSendBack",
    "admit_receipt",
    "authorise",
    "cancel",
    "expire_due",
    "find_by_number",
    "mark_sent_back",
    "units_to_send_back",
    "BUILT_IN",
    "ReceivedUnits",
    "ReturnableOrder",
    "SoldUnits",
    "announce_exchange",
    "announce_goodwill_refund",
    "UnitsLeft",
    "announce_receipt",
    "exchange_of",
    "get_return",
    "is_inside_window",
    "list_policies",
    "open_return",
    "policy_for",
    "receive",
    "record_refund",
    "refunded_so_far",
    "returned_quantities",
    "returns_of_order",
    "set_exchange",
    "returns_of_orders",
    "set_policy",
    "take_units",
    "units_left",
]
