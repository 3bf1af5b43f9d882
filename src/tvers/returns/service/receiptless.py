"""Receipt-less returns: which of a customer's handed-over units a SKU brought back without a receipt is taken from.

For each SKU the units come from the customer's most recently handed-over line of it with units left, then the next
(a return may span orders; one return per order). The policy of the channel each line was sold on must take
receipt-less returns (`receiptless` = store_credit); the window and final sale are checked as for any return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.returns.errors import InvalidReturnQuantity, NotBoughtByCustomer, ReceiptlessNotAllowed
from tvers.returns.receiptless_schemas import ReceiptlessReturnIn
from tvers.returns.schemas import Receiptless, ReturnIn, ReturnLineIn
from tvers.returns.service.policies import policy_for
from tvers.returns.service.returning import ReturnableOrder, returned_quantities

NEVER = datetime.min.replace(tzinfo=UTC)  # sorts a line with no hand-over time last


@dataclass(frozen=True, slots=True)
class UnitsLeft:
    """Units of one order line handed over to the customer and not in any return yet."""

    order_id: str
    channel: str
    line_id: str
    sku: str
    category: str | None
    units_left: int
    handed_over_at: datetime | None


def units_left(uow: Uow, orders: Sequence[ReturnableOrder]) -> list[UnitsLeft]:
    """The lines of these orders with units left to return, most recently handed over first."""
    found = []
    for order in orders:
        returned = returned_quantities(uow, order.order_id)
        for line in order.lines.values():
            left = line.fulfilled_quantity - returned.get(line.line_id, 0)
            if left > 0:
                found.append(UnitsLeft(order_id=order.order_id, channel=order.channel, line_id=line.line_id, sku=line.sku,
                                       category=line.category, units_left=left, handed_over_at=order.handed_over_at))
    # Ids are time-sortable: among lines handed over at the same instant, the later order first.
    return sorted(found, key=lambda units: (units.handed_over_at or NEVER, units.order_id, units.line_id), reverse=True)


def is_inside_window(uow: Uow, units: UnitsLeft) -> bool:
    """Inside the sold channel's window for the line's category, and not final sale."""
    policy = policy_for(uow, channel=units.channel, category=units.category)
    if policy.is_final_sale or units.handed_over_at is None:
        return False
    return uow.clock.now() <= units.handed_over_at + timedelta(days=policy.window_days)


def take_units(uow: Uow, available: Sequence[UnitsLeft], data: ReceiptlessReturnIn) -> dict[str, ReturnIn]:
    """The return to open per order (order id → its lines), in the order the units are taken; refused, nothing written, when a
    SKU was never handed over to the customer, has fewer units left than asked, or its sold channel takes no receipt-less
    returns. `available` most recently handed over first (as `units_left` answers)."""
    per_order: dict[str, list[ReturnLineIn]] = {}
    seen: set[str] = set()
    for index, item in enumerate(data.lines):
        field = f"lines.{index}"
        if item.sku in seen:
            message = f"{item.sku} is named twice in one return"
            raise InvalidReturnQuantity(message, fields=[FieldError(f"{field}.sku", message, InvalidReturnQuantity.code)])
        seen.add(item.sku)
        lines = [units for units in available if units.sku == item.sku]
        if not lines:
            message = f"the customer has no units of {item.sku} handed over and not returned, on any channel"
            raise NotBoughtByCustomer(message, fields=[FieldError(f"{field}.sku", message, NotBoughtByCustomer.code)])
        left = sum(units.units_left for units in lines)
        if item.quantity > left:
            message = f"the customer has {left} units of {item.sku} handed over and not yet returned, not {item.quantity}"
            raise InvalidReturnQuantity(message, fields=[FieldError(f"{field}.quantity", message, InvalidReturnQuantity.code)])
        wanted = item.quantity
        for units in lines:
            if wanted == 0:
                break
            _check_receiptless(uow, units, field=f"{field}.sku")
            taken = min(wanted, units.units_left)
            wanted -= taken
            per_order.setdefault(units.order_id, []).append(ReturnLineIn(line_id=units.line_id, quantity=taken, reason=item.reason))
    return {order_id: ReturnIn(order_id=order_id, lines=lines, note=data.note, override=data.override)
            for order_id, lines in per_order.items()}


def _check_receiptless(uow: Uow, units: UnitsLeft, *, field: str) -> None:
    policy = policy_for(uow, channel=units.channel, category=units.category)
    if policy.receiptless is not Receiptless.STORE_CREDIT:
        message = f"{units.sku} was sold on {units.channel}, whose return policy takes no returns without a receipt"
        raise ReceiptlessNotAllowed(message, fields=[FieldError(field, message, ReceiptlessNotAllowed.code)],
                                    order_id=units.order_id)
