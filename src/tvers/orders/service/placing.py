"""Creating orders and finding the one a retried checkout already made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Table, bindparam, insert, literal, select, text, update

from tvers.db.rows import rows_as_json
from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.orders.events import OrderPlaced
from tvers.orders.lifecycle import OrderStatus, check_transition
from tvers.orders.models import Order, OrderLine, OrderStatusChange
from tvers.orders.schemas import NewOrder, OrderLineOut, OrderOut, StatusChangeOut
from tvers.orders.service._shared import money, order_out, order_row

PLACED_REASON, CONFIRMED_REASON = "checkout", "payment authorised"
ORDERS: Table = Order.__table__  # type: ignore[assignment]
LINES: Table = OrderLine.__table__  # type: ignore[assignment]
HISTORY: Table = OrderStatusChange.__table__  # type: ignore[assignment]
# Built once: on the checkout's hot path, building and compiling statements costs more than running them. Executed on
# the session's Connection (Core: no ORM bulk-insert machinery), as the reservation statements are.
INSERT_ORDER, INSERT_LINES, INSERT_HISTORY = insert(ORDERS), insert(LINES), insert(HISTORY)
CONFIRM = (
    update(ORDERS)
    .where(ORDERS.c.id == bindparam("order_id"), ORDERS.c.status == literal(OrderStatus.PENDING_PAYMENT.value),
           ORDERS.c.version == 1)
    .values(status=OrderStatus.CONFIRMED.value, version=ORDERS.c.version + 1, checkout_deadline_at=None,
            updated_at=bindparam("at"))
    .returning(ORDERS.c.version)
)


def _columns(table: Table, *, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(c.name for c in table.columns if c.name not in skip)


# PostgreSQL: the order, its lines and the first history row in one statement of three parameters, each row as JSON
# expanded by jsonb_populate_record(set) into the table's own column types (data-modifying CTEs; the foreign keys
# are checked at the end of the statement, when all three rows are there). Short and with few parameters, so psycopg
# caches its parsing and the server keeps it prepared.
_HISTORY_COLUMNS = _columns(HISTORY, skip=("id",))
PLACE_ON_POSTGRESQL = text(
    f"WITH placed_order AS (INSERT INTO orders ({_columns(ORDERS)}) SELECT {_columns(ORDERS)}"
    " FROM jsonb_populate_record(NULL::orders, CAST(:order AS jsonb))),"
    f" placed_lines AS (INSERT INTO order_lines ({_columns(LINES)}) SELECT {_columns(LINES)}"
    " FROM jsonb_populate_recordset(NULL::order_lines, CAST(:lines AS jsonb)))"
    f" INSERT INTO order_status_history ({_HISTORY_COLUMNS}) SELECT {_HISTORY_COLUMNS}"
    " FROM jsonb_populate_record(NULL::order_status_history, CAST(:history AS jsonb))"
)


@dataclass(frozen=True)
class PlacedOrder:
    """An order as `place_order` wrote it, kept by the checkout between its steps (nothing else has it)."""

    id: str
    number: str
    new: NewOrder
    line_ids: tuple[str, ...]
    placed_at: datetime


def create_order(uow: Uow, new: NewOrder, *, number: str) -> str:
    """Step 1 of checkout: the order `pending_payment` with its lines; returns the order id. Bulk inserts: it is the hot path."""
    return place_order(uow, new, number=number).id


def place_order(uow: Uow, new: NewOrder, *, number: str) -> PlacedOrder:
    """`create_order`, answering what it wrote (for `confirm_placed_order`)."""
    order_id, now = new_id("ord"), uow.clock.now()
    line_ids = tuple(new_id("oln") for _ in new.lines)
    totals = new.totals
    order = {
        "id": order_id, "number": number, "channel": new.channel, "channel_type": new.channel_type, "source": new.source,
        "status": OrderStatus.PENDING_PAYMENT.value, "held_from": None, "customer_id": new.customer_id, "cart_id": new.cart_id,
        "external_id": new.external_id, "checkout_key": new.checkout_key, "currency": new.currency,
        "prices_include_vat": new.prices_include_vat, "tax_country": new.tax_country, "delivery_method": new.delivery_method,
        "pickup_location_id": new.pickup_location_id, "subtotal_minor": totals.subtotal_minor, "discount_minor": totals.discount_minor,
        "shipping_minor": totals.shipping_minor, "net_minor": totals.net_minor, "vat_minor": totals.vat_minor,
        "total_minor": totals.total_minor, "shipping": new.shipping, "pricing": new.pricing, "coupon_codes": list(new.coupon_codes),
        "sourcing": new.sourcing, "contact": new.contact, "location_id": new.location_id, "placed_by": new.placed_by, "version": 1,
        "checkout_deadline_at": new.checkout_deadline_at, "placed_at": now, "updated_at": now,
    }
    lines = [
        {"id": line_id, "order_id": order_id, "line_no": number_in_order, "variant_id": line.variant_id,
         "product_id": line.product_id, "sku": line.sku, "title": line.title, "category": line.category, "tax_class": line.tax_class,
         "quantity": line.quantity, "cancelled_quantity": 0, "fulfilled_quantity": 0, "unit_price_minor": line.unit_price_minor,
         "amount_minor": line.amount_minor, "discount_minor": line.discount_minor, "net_minor": line.net_minor,
         "vat_minor": line.vat_minor, "vat_rate": line.vat_rate, "total_minor": line.total_minor, "discounts": line.discounts,
         "location_id": line.location_id, "delivery_method": line.delivery_method}
        for number_in_order, (line_id, line) in enumerate(zip(line_ids, new.lines, strict=True), start=1)
    ]
    history = {"order_id": order_id, "from_status": None, "actor": new.placed_by, "to_status": OrderStatus.PENDING_PAYMENT.value,
               "reason": PLACED_REASON, "at": now}
    connection = uow.session.connection()
    if uow.dialect == "postgresql" and lines:  # one statement, one round trip
        connection.execute(
            PLACE_ON_POSTGRESQL, {"order": rows_as_json(order), "lines": rows_as_json(lines), "history": rows_as_json(history)}
        )
    else:
        connection.execute(INSERT_ORDER, [order])
        connection.execute(INSERT_LINES, lines)
        connection.execute(INSERT_HISTORY, [history])
    return PlacedOrder(id=order_id, number=number, new=new, line_ids=line_ids, placed_at=now)


def confirm_placed_order(uow: Uow, placed: PlacedOrder, *, actor: str) -> OrderOut | None:
    """`confirm_order` for an order this process placed moments ago: one conditional UPDATE (still `pending_payment` and
    unchanged since it was placed: version 1) instead of reading it with its lines; the history row and `order.placed`
    as `confirm_order` writes them; answers the order as `get_order` would read it after commit. None when the order
    changed meanwhile (cancelled, finished by the sweep): nothing was written, and the caller takes the general path.
    """
    check_transition(OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED)
    now, new = uow.clock.now(), placed.new
    connection = uow.session.connection()
    confirmed = connection.execute(CONFIRM, {"order_id": placed.id, "at": now}).first()
    if confirmed is None:
        return None
    history = [StatusChangeOut(from_status=None, to_status=OrderStatus.PENDING_PAYMENT.value, actor=new.placed_by,
                               reason=PLACED_REASON, at=placed.placed_at),
               StatusChangeOut(from_status=OrderStatus.PENDING_PAYMENT.value, to_status=OrderStatus.CONFIRMED.value, actor=actor,
                               reason=CONFIRMED_REASON, at=now)]
    connection.execute(INSERT_HISTORY, [{"order_id": placed.id, **history[1].model_dump()}])
    uow.record(OrderPlaced(order_id=placed.id, number=placed.number, channel=new.channel, customer_id=new.customer_id,
                           currency=new.currency, total_minor=new.totals.total_minor, lines=tuple(
                               {"line_id": line_id, "sku": line.sku, "variant_id": line.variant_id, "quantity": line.quantity,
                                "total_minor": line.total_minor, "location_id": line.location_id,
                                "delivery_method": line.delivery_method}
                               for line_id, line in zip(placed.line_ids, new.lines, strict=True))))
    return _placed_out(placed, status=OrderStatus.CONFIRMED, version=confirmed.version, history=history, updated_at=now)


def _placed_out(placed: PlacedOrder, *, status: OrderStatus, version: int, history: list[StatusChangeOut],
                updated_at: datetime) -> OrderOut:
    new, currency, totals = placed.new, placed.new.currency, placed.new.totals
    lines = [OrderLineOut(
        id=line_id, line_no=line_no, sku=line.sku, title=line.title, variant_id=line.variant_id, product_id=line.product_id,
        quantity=line.quantity, cancelled_quantity=0, fulfilled_quantity=0, open_quantity=line.quantity,
        unit_price=money(line.unit_price_minor, currency), amount=money(line.amount_minor, currency),
        discount=money(line.discount_minor, currency), discounts=line.discounts, net=money(line.net_minor, currency),
        vat=money(line.vat_minor, currency), vat_rate=line.vat_rate, total=money(line.total_minor, currency),
        location_id=line.location_id, delivery_method=line.delivery_method,
    ) for line_no, (line_id, line) in enumerate(zip(placed.line_ids, new.lines, strict=True), start=1)]
    return OrderOut(
        id=placed.id, number=placed.number, channel=new.channel, status=status, customer_id=new.customer_id,
        total=money(totals.total_minor, currency), delivery_method=new.delivery_method, placed_at=placed.placed_at,
        source=new.source, currency=currency, prices_include_vat=new.prices_include_vat, tax_country=new.tax_country,
        cart_id=new.cart_id, external_id=new.external_id, location_id=new.location_id, pickup_location_id=new.pickup_location_id,
        subtotal=money(totals.subtotal_minor, currency), discount_total=money(totals.discount_minor, currency),
        shipping_total=money(totals.shipping_minor, currency), net_total=money(totals.net_minor, currency),
        vat_total=money(totals.vat_minor, currency), shipping=new.shipping, pricing=new.pricing, coupon_codes=list(new.coupon_codes),
        sourcing=new.sourcing, contact=new.contact, version=version, lines=lines, history=history, updated_at=updated_at,
    )


def existing_order_id(uow: Uow, *, channel: str, checkout_key: str | None = None, cart_id: str | None = None,
                      external_id: str | None = None) -> str | None:
    """The order a retried checkout already made: same key on the channel, same cart, or same marketplace order."""
    conditions: list[ColumnElement[bool]] = []
    if checkout_key is not None:
        conditions.append((Order.channel == channel) & (Order.checkout_key == checkout_key))
    if cart_id is not None:
        conditions.append(Order.cart_id == cart_id)
    if external_id is not None:
        conditions.append((Order.channel == channel) & (Order.external_id == external_id))
    for condition in conditions:
        found = uow.session.scalar(select(Order.id).where(condition))
        if found is not None:
            return found
    return None


def get_order(uow: Uow, order_id: str) -> OrderOut:
    return order_out(uow, order_row(uow, order_id))


def lock_order(uow: Uow, order_id: str) -> None:
    """Take the order's row lock (PostgreSQL) first, so commands about the order in other modules (returns) queue."""
    order_row(uow, order_id, lock=True)


def stalled_checkouts(uow: Uow, *, now: datetime, limit: int = 100) -> list[str]:
    """Orders left `pending_payment` past their deadline: a crash (or a lost client) between the checkout's steps."""
    return list(uow.session.scalars(
        select(Order.id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT.value, Order.checkout_deadline_at < now)
        .order_by(Order.checkout_deadline_at)
        .limit(limit)
    ))


def statuses_of(uow: Uow, order_ids: Sequence[str]) -> dict[str, str]:
    if not order_ids:
        return {}
    rows = uow.session.execute(select(Order.id, Order.status).where(Order.id.in_(list(order_ids))))
    return {order_id: status for order_id, status in rows}
