"""Returns: asked for (checked against what was handed over and the policy of the channel it was sold on), received, refunded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.events import to_json
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money
from tvers.returns import return_states
from tvers.returns.errors import (
    FinalSale,
    InvalidReceipt,
    InvalidReturnQuantity,
    LineNotFulfilled,
    OutsideReturnWindow,
    OverrideNotAllowed,
    ReturnAlreadyReceived,
    ReturnCancelled,
    ReturnNotFound,
    UnknownReturnLine,
)
from tvers.returns.events import RefundIssued, ReturnExchanged, ReturnReceived, ReturnRequested
from tvers.returns.models import Return, ReturnLineRow
from tvers.returns.refund_types import RefundPlan, TenderRefund
from tvers.returns.schemas import (
    Condition,
    ReasonCode,
    ReceiveIn,
    ReturnIn,
    ReturnLineOut,
    ReturnOut,
    ReturnRefundOut,
    ReturnStatus,
)
from tvers.returns.service.policies import policy_for
from tvers.returns.service.refund_reading import refund_parts


@dataclass(frozen=True, slots=True)
class SoldUnits:
    """An order line as the return checks see it."""

    line_id: str
    variant_id: str
    sku: str
    fulfilled_quantity: int
    category: str | None


@dataclass(frozen=True, slots=True)
class ReturnableOrder:
    """The facts of an order a return is checked against; `handed_over_at` starts the return window."""

    order_id: str
    customer_id: str | None
    channel: str
    currency: str
    handed_over_at: datetime | None
    lines: Mapping[str, SoldUnits]


@dataclass(frozen=True, slots=True)
class ReceivedUnits:
    order_line_id: str
    variant_id: str
    sku: str
    quantity: int
    condition: Condition


def open_return(uow: Uow, order: ReturnableOrder, data: ReturnIn, *, actor: str, may_override: bool,
                is_receiptless: bool = False) -> ReturnOut:
    """A return of some handed-over units; refused (nothing written) past the window or on final sale, unless overridden.
    `is_receiptless`: found through the customer's profile (see `receiptless`), refunded only as store credit."""
    if data.override is not None and not may_override:
        raise OverrideNotAllowed("only admins and store staff may override a return policy")
    _check_quantities(uow, order, data)
    if data.override is None:
        for index, item in enumerate(data.lines):
            _check_policy(uow, order, order.lines[item.line_id], index=index)
    row = Return(id=new_id("ret"), order_id=order.order_id, customer_id=order.customer_id, sold_channel=order.channel,
                 returned_at_location_id=None, status=ReturnStatus.REQUESTED.value, reason=data.note,
                 override=None if data.override is None else {"actor": actor, "reason": data.override.reason}, currency=order.currency,
                 refund_total_minor=0, refund_vat_minor=0, points_reversed=0, plan={}, requested_by=actor, created_at=uow.clock.now(),
                 is_receiptless=is_receiptless)
    uow.session.add(row)
    for item in data.lines:
        sold = order.lines[item.line_id]
        uow.session.add(ReturnLineRow(return_id=row.id, order_line_id=item.line_id, variant_id=sold.variant_id, sku=sold.sku,
                                      quantity=item.quantity, reason_code=item.reason.value, condition=None, refund_minor=0))
    uow.session.flush()
    uow.record(ReturnRequested(return_id=row.id, order_id=order.order_id, channel=order.channel, is_override=row.override is not None,
                               is_receiptless=is_receiptless,
                               lines=tuple({"order_line_id": i.line_id, "sku": order.lines[i.line_id].sku, "quantity": i.quantity,
                                            "reason": i.reason.value} for i in data.lines)))
    return get_return(uow, row.id)


def _check_quantities(uow: Uow, order: ReturnableOrder, data: ReturnIn) -> None:
    returned = returned_quantities(uow, order.order_id)
    seen: set[str] = set()
    for index, item in enumerate(data.lines):
        field = f"lines.{index}"
        sold = order.lines.get(item.line_id)
        if sold is None:
            raise UnknownReturnLine(f"order {order.order_id} has no line {item.line_id}",
                                    fields=[FieldError(f"{field}.line_id", "not a line of this order", UnknownReturnLine.code)])
        if sold.fulfilled_quantity == 0:
            raise LineNotFulfilled(f"nothing of line {item.line_id} has been handed over yet; cancel it instead",
                                   fields=[FieldError(f"{field}.line_id", "not fulfilled", LineNotFulfilled.code)])
        left = sold.fulfilled_quantity - returned.get(item.line_id, 0)
        if item.line_id in seen or item.quantity > left:
            message = f"line {item.line_id} has {left} units handed over and not yet returned, not {item.quantity}"
            raise InvalidReturnQuantity(message, fields=[FieldError(f"{field}.quantity", message, InvalidReturnQuantity.code)])
        seen.add(item.line_id)


def _check_policy(uow: Uow, order: ReturnableOrder, sold: SoldUnits, *, index: int) -> None:
    policy = policy_for(uow, channel=order.channel, category=sold.category)
    field = f"lines.{index}.line_id"
    if policy.is_final_sale:
        raise FinalSale(f"{sold.sku} was sold as final sale on {order.channel}", fields=[FieldError(field, "final sale", FinalSale.code)])
    closes = None if order.handed_over_at is None else order.handed_over_at + timedelta(days=policy.window_days)
    if closes is None or uow.clock.now() > closes:
        message = f"the {policy.window_days}-day return window of {order.channel} has closed"
        raise OutsideReturnWindow(message, fields=[FieldError(field, message, OutsideReturnWindow.code)], closed_at=str(closes))


def receive(uow: Uow, return_id: str, data: ReceiveIn, *, location_id: str) -> list[ReceivedUnits]:
    """The goods are in: each unit resellable or damaged. Once per return (a second receipt is a 409)."""
    moved = rows_changed(uow.session.execute(
        update(Return).where(Return.id == return_id, Return.status.in_(return_states.RECEIVABLE))
        .values(status=ReturnStatus.RECEIVED.value, received_at=uow.clock.now(), returned_at_location_id=location_id)))
    if moved != 1:
        status = uow.session.scalar(select(Return.status).where(Return.id == return_id))
        if status is None:
            raise ReturnNotFound(f"no return {return_id}")
        if status == ReturnStatus.CANCELLED:
            raise ReturnCancelled(f"return {return_id} was cancelled", return_status=status)
        raise ReturnAlreadyReceived(f"return {return_id} was already received", return_status=status)
    rows = _line_rows(uow, return_id)
    received = _inspected(rows, data)
    for row in rows:
        row.condition = next(r.condition.value for r in received if r.order_line_id == row.order_line_id)
    for units in received:
        first = next(row for row in rows if row.order_line_id == units.order_line_id)
        if units.condition.value != first.condition:  # a line split between conditions: one row per condition
            first.quantity -= units.quantity
            uow.session.add(ReturnLineRow(return_id=return_id, order_line_id=first.order_line_id, variant_id=first.variant_id,
                                          sku=first.sku, quantity=units.quantity, reason_code=first.reason_code,
                                          condition=units.condition.value, refund_minor=0))
    uow.session.flush()
    return received


def _inspected(rows: Sequence[ReturnLineRow], data: ReceiveIn) -> list[ReceivedUnits]:
    wanted = {row.order_line_id: row for row in rows}
    if data.lines is None:
        return [ReceivedUnits(r.order_line_id, r.variant_id, r.sku, r.quantity, Condition.RESELLABLE) for r in rows]
    per_line: dict[tuple[str, Condition], int] = defaultdict(int)
    for item in data.lines:
        if item.line_id not in wanted:
            raise InvalidReceipt(f"line {item.line_id} is not in this return",
                                 fields=[FieldError("lines", f"{item.line_id} is not returned", InvalidReceipt.code)])
        per_line[(item.line_id, item.condition)] += item.quantity
    for line_id, row in wanted.items():
        counted = sum(q for (lid, _), q in per_line.items() if lid == line_id)
        if counted != row.quantity:
            message = f"line {line_id}: {row.quantity} units are returned, {counted} were inspected"
            raise InvalidReceipt(message, fields=[FieldError("lines", message, InvalidReceipt.code)])
    ordered = sorted(per_line.items(), key=lambda kv: (kv[0][0], kv[0][1] is not Condition.RESELLABLE))
    return [ReceivedUnits(lid, wanted[lid].variant_id, wanted[lid].sku, q, cond) for (lid, cond), q in ordered]


def announce_receipt(uow: Uow, return_id: str, received: Sequence[ReceivedUnits], *, location_code: str) -> None:
    row = _row(uow, return_id)
    uow.record(ReturnReceived(return_id=return_id, order_id=row.order_id, channel=row.sold_channel, location_code=location_code,
                              lines=tuple({"order_line_id": r.order_line_id, "sku": r.sku, "quantity": r.quantity,
                                           "condition": r.condition.value} for r in received)))


def record_refund(uow: Uow, return_id: str, plan: RefundPlan, *, points_reversed: int, is_pending: bool = False) -> ReturnOut:
    """The refund decided for a received return: its figures kept with the return, and `refund.issued`. `is_pending`: parts
    were asked of providers, so the return is `refund_pending` until they answer (`returns.service.refund_parts`)."""
    row = _row(uow, return_id)
    if is_pending:
        row.status = ReturnStatus.REFUND_PENDING.value
    else:
        row.status, row.refunded_at = ReturnStatus.REFUNDED.value, uow.clock.now()
    row.refund_total_minor, row.refund_vat_minor, row.points_reversed = plan.total_minor, plan.vat_minor, points_reversed
    row.plan = {**to_json(plan), "total_minor": plan.total_minor, "vat_minor": plan.vat_minor, "explanations": list(plan.explanations)}
    rows = _line_rows(uow, return_id)
    for line in plan.lines:
        mine = [r for r in rows if r.order_line_id == line.line_id]
        for part, r in zip(Money(line.refund_minor, plan.currency).split([r.quantity for r in mine]), mine, strict=True):
            r.refund_minor = part.minor
    uow.session.flush()
    uow.record(RefundIssued(return_id=return_id, order_id=row.order_id, channel=row.sold_channel, currency=plan.currency,
                            total_minor=plan.total_minor, vat_minor=plan.vat_minor, points_reversed=points_reversed,
                            tenders=tender_parts(plan.tenders)))
    return get_return(uow, return_id)


def set_exchange(uow: Uow, return_id: str, exchange: dict[str, Any]) -> None:
    """Keep the replacement of an exchange with its return (what was asked for, and later the order and voucher)."""
    _row(uow, return_id).exchange = exchange
    uow.session.flush()


def announce_exchange(uow: Uow, return_id: str) -> None:
    """`return.exchanged`, once the replacement order was placed or could not be."""
    row = _row(uow, return_id)
    exchange = row.exchange or {}
    uow.record(ReturnExchanged(return_id=return_id, order_id=row.order_id, replacement_order_id=exchange.get("order_id"),
                               status=str(exchange.get("status")), currency=row.currency,
                               credit_minor=int(exchange.get("credit_minor", 0)), difference_minor=int(exchange.get("difference_minor", 0)),
                               refunded_minor=int(exchange.get("refunded_minor", 0))))


def received_exchanges(uow: Uow, *, since: datetime, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """(return id, exchange) of returns received since `since` that exchange something, oldest first."""
    rows = uow.session.execute(select(Return.id, Return.exchange).where(Return.exchange.is_not(None), Return.received_at >= since)
                               .order_by(Return.received_at, Return.id).limit(limit))
    return [(return_id, exchange) for return_id, exchange in rows if exchange]


def exchange_of(uow: Uow, return_id: str) -> dict[str, Any] | None:
    return _row(uow, return_id).exchange


def returned_quantities(uow: Uow, order_id: str) -> dict[str, int]:
    """Units of each line in the order's returns, but cancelled and expired ones (their units may be returned again)."""
    rows = uow.session.execute(select(ReturnLineRow.order_line_id, func.sum(ReturnLineRow.quantity)).join(Return)
                               .where(Return.order_id == order_id, Return.status.not_in(return_states.RELEASED))
                               .group_by(ReturnLineRow.order_line_id))
    return {line_id: int(quantity) for line_id, quantity in rows}


def refunded_so_far(uow: Uow, order_id: str, *, but: str) -> list[dict[str, Any]]:
    """The stored plans of the order's returns other than `but` whose refund was decided (whatever providers said since),
    oldest first."""
    rows = uow.session.scalars(select(Return).where(Return.order_id == order_id, Return.status.in_(return_states.REFUND_DECIDED),
                                                    Return.id != but).order_by(Return.received_at, Return.id))
    return [row.plan for row in rows]


def get_return(uow: Uow, return_id: str) -> ReturnOut:
    return _out(_row(uow, return_id), _line_rows(uow, return_id), refund_parts(uow, return_id))


def returns_of_order(uow: Uow, order_id: str) -> list[ReturnOut]:
    rows = uow.session.scalars(select(Return).where(Return.order_id == order_id).order_by(Return.created_at, Return.id))
    return [_out(row, _line_rows(uow, row.id), refund_parts(uow, row.id)) for row in rows]


def returns_of_orders(uow: Uow, order_ids: Sequence[str]) -> list[ReturnOut]:
    """The returns of any of these orders (a customer's, from every channel), newest first."""
    if not order_ids:
        return []
    rows = list(uow.session.scalars(select(Return).where(Return.order_id.in_(order_ids)).order_by(Return.created_at.desc(),
                                                                                                   Return.id.desc())))
    lines: dict[str, list[ReturnLineRow]] = defaultdict(list)
    for line in uow.session.scalars(select(ReturnLineRow).where(ReturnLineRow.return_id.in_([r.id for r in rows]))
                                    .order_by(ReturnLineRow.id)):
        lines[line.return_id].append(line)
    return [_out(row, lines[row.id]) for row in rows]


def _row(uow: Uow, return_id: str) -> Return:
    row = uow.session.get(Return, return_id)
    if row is None:
        raise ReturnNotFound(f"no return {return_id}")
    return row


def _line_rows(uow: Uow, return_id: str) -> list[ReturnLineRow]:
    return list(uow.session.scalars(select(ReturnLineRow).where(ReturnLineRow.return_id == return_id).order_by(ReturnLineRow.id)))


def _public(exchange: dict[str, Any] | None) -> dict[str, Any] | None:
    """The exchange as shown: the voucher's code (it spends the balance) only while the credit is on it and no replacement
    order took it — failed, pending, or funded and not yet ordered — so the customer can have it."""
    status = None if exchange is None else exchange.get("status")
    if exchange is None or status in ("failed", "pending") or (status == "held" and "credit_minor" in exchange):
        return exchange
    return {key: value for key, value in exchange.items() if key != "voucher_code"}


def _out(row: Return, lines: Sequence[ReturnLineRow], refunds: Sequence[ReturnRefundOut] = ()) -> ReturnOut:
    return ReturnOut(
        id=row.id, order_id=row.order_id, customer_id=row.customer_id, sold_channel=row.sold_channel,
        returned_at_location_id=row.returned_at_location_id, status=ReturnStatus(row.status), note=row.reason, override=row.override,
        is_receiptless=row.is_receiptless,
        currency=row.currency, refund_total_minor=row.refund_total_minor, refund_vat_minor=row.refund_vat_minor,
        points_reversed=row.points_reversed, plan=row.plan, created_at=row.created_at, received_at=row.received_at,
        refunded_at=row.refunded_at, exchange=_public(row.exchange), number=row.number, expires_at=row.expires_at,
        late_override=row.late_override, refunds=list(refunds),
        lines=[ReturnLineOut(order_line_id=r.order_line_id, variant_id=r.variant_id, sku=r.sku, quantity=r.quantity,
                             reason=ReasonCode(r.reason_code), condition=None if r.condition is None else Condition(r.condition),
                             refund_minor=r.refund_minor) for r in lines])


def announce_goodwill_refund(uow: Uow, *, order_id: str, channel: str, currency: str, amount_minor: int, vat_minor: int,
                             tenders: Sequence[TenderRefund], reason: str) -> None:
    """`refund.issued` for money given back without a return (no return id, the reason code)."""
    uow.record(RefundIssued(return_id=None, order_id=order_id, channel=channel, currency=currency, total_minor=amount_minor,
                            vat_minor=vat_minor, points_reversed=0, reason=reason,
                            tenders=tender_parts(tenders)))


def tender_parts(tenders: Sequence[TenderRefund]) -> tuple[dict[str, object], ...]:
    """Each payment's part of a refund as events and answers show it: ids, codes and amounts."""
    return tuple({"payment_id": t.payment_id, "tender": t.tender, "refund_as": t.refund_as, "amount_minor": t.amount_minor,
                  "points": t.points} for t in tenders)
