"""Moving orders through the state machine; every move is checked against one table and written to history."""

from __future__ import annotations

from sqlalchemy import update

from tvers.db.uow import Uow
from tvers.kernel.versioning import check_version
from tvers.orders.errors import OrderNotEditable
from tvers.orders.events import OrderCompleted, OrderPaymentFailed, OrderPlaced, OrderUpdated
from tvers.orders.lifecycle import OrderStatus, check_transition
from tvers.orders.models import Order, OrderLine
from tvers.orders.service._shared import add_history, line_rows, order_row


def move(uow: Uow, row: Order, target: OrderStatus, *, actor: str, reason: str | None = None) -> None:
    """The one way an order changes status: allowed by the table, stamped in history, version bumped."""
    check_transition(row.status, target)
    add_history(uow, row.id, from_status=row.status, to_status=target.value, actor=actor, reason=reason)
    row.status = target.value
    row.version += 1
    row.updated_at = uow.clock.now()


def confirm_order(uow: Uow, order_id: str, *, actor: str) -> None:
    """Step 3 of checkout: every tender authorised; the order goes to fulfilment and `order.placed` goes out."""
    row = order_row(uow, order_id, lock=True)
    move(uow, row, OrderStatus.CONFIRMED, actor=actor, reason="payment authorised")
    row.checkout_deadline_at = None
    lines: tuple[dict[str, object], ...] = tuple(
        {"line_id": line.id, "sku": line.sku, "variant_id": line.variant_id, "quantity": line.quantity, "total_minor": line.total_minor,
         "location_id": line.location_id, "delivery_method": line.delivery_method}
        for line in line_rows(uow, order_id)
    )
    uow.record(OrderPlaced(order_id=row.id, number=row.number, channel=row.channel, customer_id=row.customer_id, currency=row.currency,
                           total_minor=row.total_minor, lines=lines))


def fail_order_payment(uow: Uow, order_id: str, *, actor: str, reason: str) -> None:
    """Compensation's last step: the order stays on record as `payment_failed` (the customer can see what happened)."""
    row = order_row(uow, order_id, lock=True)
    move(uow, row, OrderStatus.PAYMENT_FAILED, actor=actor, reason=reason)
    row.checkout_deadline_at = None
    uow.record(OrderPaymentFailed(order_id=row.id, channel=row.channel, reason=reason))


def hold_order(uow: Uow, order_id: str, *, actor: str, reason: str, version: int | None = None) -> None:
    """Stop fulfilment (fraud check, customer call); `release_order` returns to where it was."""
    row = order_row(uow, order_id, lock=True)
    if version is not None:
        check_version(row.version, version)
    held_from = row.status
    move(uow, row, OrderStatus.ON_HOLD, actor=actor, reason=reason)
    row.held_from = held_from
    uow.record(OrderUpdated(order_id=row.id, channel=row.channel, status=row.status, change="held", version=row.version))


def release_order(uow: Uow, order_id: str, *, actor: str, reason: str | None = None, version: int | None = None) -> None:
    row = order_row(uow, order_id, lock=True)
    if version is not None:
        check_version(row.version, version)
    if row.status != OrderStatus.ON_HOLD:
        check_transition(row.status, OrderStatus.CONFIRMED)  # raises: only a held order can be released
    move(uow, row, OrderStatus(row.held_from or OrderStatus.CONFIRMED), actor=actor, reason=reason or "released")
    row.held_from = None
    uow.record(OrderUpdated(order_id=row.id, channel=row.channel, status=row.status, change="released", version=row.version))


def fulfil_on_the_spot(uow: Uow, order_id: str, *, actor: str) -> None:
    """A carry-out sale at the till: the customer leaves with the goods, so every open unit is fulfilled and the order completes."""
    row = order_row(uow, order_id, lock=True)
    if row.status != OrderStatus.CONFIRMED:
        raise OrderNotEditable(f"An order that is {row.status} cannot be handed over at the till", order_status=row.status)
    uow.session.execute(update(OrderLine).where(OrderLine.order_id == order_id)
                        .values(fulfilled_quantity=OrderLine.quantity - OrderLine.cancelled_quantity))
    move(uow, row, OrderStatus.FULFILLED, actor=actor, reason="carried out at the till")
    complete_order(uow, row, actor=actor)


def complete_order(uow: Uow, row: Order, *, actor: str) -> None:
    """Fulfilled and paid: loyalty points are earned on `order.completed`, whichever channel sold it."""
    move(uow, row, OrderStatus.COMPLETED, actor=actor, reason="fulfilled")
    uow.record(OrderCompleted(order_id=row.id, customer_id=row.customer_id, channel=row.channel, currency=row.currency,
                              amount_minor=open_total(uow, row), completed_at=uow.clock.now().isoformat()))


def open_total(uow: Uow, row: Order) -> int:
    """What the customer pays after cancellations: the order total less the cancelled part of each line."""
    cancelled = sum(cancelled_part(line) for line in line_rows(uow, row.id))
    return row.total_minor - cancelled


def cancelled_part(line: OrderLine) -> int:
    """The cancelled units' share of the line total, exact: the whole line when all are cancelled."""
    if line.cancelled_quantity == line.quantity:
        return line.total_minor
    return line.total_minor * line.cancelled_quantity // line.quantity


def open_total_of(uow: Uow, order_id: str) -> int:
    return open_total(uow, order_row(uow, order_id))
