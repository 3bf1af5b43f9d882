"""Cart use cases: a cart per profile (or anonymous token), lines from any channel, merging on sign-in and on profile merge.

Owners are customer ids the caller has already resolved (customers.service); carts never read profiles.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from tvers.carts import events
from tvers.carts.errors import CartClosed, CartNotFound, InvalidCartLine
from tvers.carts.models import Cart, CartLine
from tvers.carts.rules import Line, merge_lines
from tvers.carts.schemas import CartIn, CartLineIn, CartLineOut, CartOut
from tvers.catalog import service as catalog
from tvers.catalog.schemas import MoneyOut, VariantStatus
from tvers.channels import service as channels
from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, InvalidInput, TversError
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money

OPEN, MERGED, CONVERTED = "open", "merged", "converted"


def open_cart(uow: Uow, data: CartIn) -> CartOut:
    """The profile's (or token's) open cart, made on first use; one open cart per profile, across channels."""
    channels.get_channel_row(uow, data.channel)
    if (data.customer_id is None) == (data.anonymous_token is None):
        message = "give either customer_id or anonymous_token"
        raise InvalidInput(message, code="invalid_cart_owner", fields=[FieldError("customer_id", message, "invalid_cart_owner")])
    found = _open_for(uow, customer_id=data.customer_id, token=data.anonymous_token)
    if found is not None:
        return cart_out(uow, found)
    now = uow.clock.now()
    row = Cart(id=new_id("crt"), customer_id=data.customer_id, open_owner=data.customer_id, status=OPEN, channel=data.channel,
               anonymous_token_hash=_digest(data.anonymous_token) if data.anonymous_token else None, created_at=now, updated_at=now)
    uow.session.add(row)
    try:
        with uow.session.begin_nested():
            uow.session.flush()
    except IntegrityError:  # a concurrent request opened it first: use that one
        found = _open_for(uow, customer_id=data.customer_id, token=data.anonymous_token)
        assert found is not None
        return cart_out(uow, found)
    uow.record(events.CartChanged(cart_id=row.id, customer_id=row.customer_id, channel=row.channel))
    return cart_out(uow, row)


def get_cart(uow: Uow, cart_id: str) -> CartOut:
    return cart_out(uow, _cart(uow, cart_id))


def set_line(uow: Uow, cart_id: str, data: CartLineIn) -> CartOut:
    """Set a variant's quantity (0 removes it); the line remembers the channel and the price the shopper saw."""
    cart = _open(uow, cart_id)
    channel = data.channel or cart.channel
    ref = channels.channel_ref(uow, channel)
    variant = catalog.get_variant_by_sku(uow, data.sku)
    if variant is None or variant.status is not VariantStatus.ACTIVE:
        message = f"no variant with SKU {data.sku!r} is for sale"
        raise InvalidCartLine(message, fields=[FieldError("sku", message, InvalidCartLine.code)])
    seen = _seen_minor(data, ref.currency)
    line = uow.session.execute(select(CartLine).where(CartLine.cart_id == cart.id, CartLine.variant_id == variant.id)).scalar_one_or_none()
    now = uow.clock.now()
    if data.quantity == 0:
        if line is not None:
            uow.session.delete(line)
    elif line is None:
        uow.session.add(CartLine(id=new_id("crl"), cart_id=cart.id, variant_id=variant.id, sku=variant.sku, quantity=data.quantity,
                                 channel=channel, seen_unit_minor=seen, seen_currency=ref.currency, added_at=now, updated_at=now))
    else:
        line.quantity, line.channel, line.updated_at = data.quantity, channel, now
        line.seen_unit_minor, line.seen_currency = seen, ref.currency
    cart.updated_at = now
    uow.session.flush()
    uow.record(events.CartChanged(cart_id=cart.id, customer_id=cart.customer_id, channel=channel))
    return cart_out(uow, cart)


def _seen_minor(data: CartLineIn, currency: str) -> int | None:
    if data.seen_unit_price is None:
        return None
    try:
        return Money.of(data.seen_unit_price, currency).minor
    except TversError as error:
        raise type(error)(error.message, fields=[FieldError("seen_unit_price", error.message, error.code)]) from None


def convert_cart(uow: Uow, cart_id: str) -> None:
    """The cart became an order: it closes, and its owner's next cart starts empty (one conditional UPDATE: converted once)."""
    converted = update(Cart).where(Cart.id == cart_id, Cart.status == OPEN)
    if rows_changed(uow.session.execute(converted.values(status=CONVERTED, open_owner=None, anonymous_token_hash=None,
                                                         updated_at=uow.clock.now()))) != 1:
        _open(uow, cart_id)  # raises the reason: unknown or already closed
        raise CartClosed(f"cart {cart_id} changed while it was checked out")


def claim_anonymous_cart(uow: Uow, *, token: str, customer_id: str) -> CartOut:
    """On sign-in the token's cart joins the profile's open cart (or becomes it)."""
    anonymous = _open_for(uow, customer_id=None, token=token)
    if anonymous is None:
        raise CartNotFound("no open cart for this token", fields=[FieldError("anonymous_token", "no open cart", CartNotFound.code)])
    target = _open_for(uow, customer_id=customer_id, token=None)
    if target is None:
        anonymous.customer_id, anonymous.open_owner, anonymous.anonymous_token_hash = customer_id, customer_id, None
        anonymous.updated_at = uow.clock.now()
        uow.session.flush()
        return cart_out(uow, anonymous)
    _merge_into(uow, target, anonymous)
    return cart_out(uow, target)


def reassign_customer_carts(uow: Uow, *, from_customer: str, to_customer: str) -> None:
    """Two profiles became one: the merged profile's open cart joins the survivor's; older carts change owner."""
    source = _open_for(uow, customer_id=from_customer, token=None)
    target = _open_for(uow, customer_id=to_customer, token=None)
    if source is not None and target is not None:
        _merge_into(uow, target, source)
    elif source is not None:
        source.open_owner = to_customer
    uow.session.execute(update(Cart).where(Cart.customer_id == from_customer).values(customer_id=to_customer)
                        .execution_options(synchronize_session=False))
    uow.session.flush()


def customer_carts(uow: Uow, customer_id: str) -> list[CartOut]:
    rows = uow.session.scalars(select(Cart).where(Cart.customer_id == customer_id).order_by(Cart.status != OPEN, Cart.id.desc()))
    return [cart_out(uow, row) for row in rows]


def delete_customer_carts(uow: Uow, customer_id: str) -> int:
    """Erasure: carts hold no financial record, so they go."""
    ids = list(uow.session.scalars(select(Cart.id).where(Cart.customer_id == customer_id)))
    if ids:
        uow.session.execute(delete(CartLine).where(CartLine.cart_id.in_(ids)))
        uow.session.execute(delete(Cart).where(Cart.id.in_(ids)))
    return len(ids)


def _merge_into(uow: Uow, target: Cart, source: Cart) -> None:
    kept, incoming = _lines(uow, target.id), _lines(uow, source.id)
    result = merge_lines([_line(r) for r in kept], [_line(r) for r in incoming])
    by_variant = {r.variant_id: r for r in kept}
    skus = {r.variant_id: r.sku for r in (*kept, *incoming)}
    added_at = {r.variant_id: r.added_at for r in (*incoming, *kept)}
    uow.session.execute(delete(CartLine).where(CartLine.cart_id == source.id))
    for line in result:
        row = by_variant.get(line.variant_id)
        if row is None:
            row = CartLine(id=new_id("crl"), cart_id=target.id, variant_id=line.variant_id, sku=skus[line.variant_id],
                           added_at=added_at[line.variant_id])
            uow.session.add(row)
        row.quantity, row.channel, row.updated_at = line.quantity, line.channel, line.updated_at
        row.seen_unit_minor, row.seen_currency = line.seen_unit_minor, line.seen_currency
    source.status, source.merged_into, source.open_owner, source.anonymous_token_hash = MERGED, target.id, None, None
    target.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(events.CartsMerged(survivor_cart_id=target.id, merged_cart_id=source.id, customer_id=target.customer_id or ""))


def _open_for(uow: Uow, *, customer_id: str | None, token: str | None) -> Cart | None:
    if customer_id is not None:
        return uow.session.execute(select(Cart).where(Cart.open_owner == customer_id)).scalar_one_or_none()
    assert token is not None
    return uow.session.execute(select(Cart).where(Cart.anonymous_token_hash == _digest(token), Cart.status == OPEN)).scalar_one_or_none()


def _cart(uow: Uow, cart_id: str) -> Cart:
    row = uow.session.get(Cart, cart_id)
    if row is None:
        raise CartNotFound(f"no cart {cart_id!r}")
    return row


def _open(uow: Uow, cart_id: str) -> Cart:
    row = _cart(uow, cart_id)
    if row.status != OPEN:
        raise CartClosed(f"cart {cart_id} is {row.status}" + (f" into {row.merged_into}" if row.merged_into else ""))
    return row


def _lines(uow: Uow, cart_id: str) -> list[CartLine]:
    return list(uow.session.scalars(select(CartLine).where(CartLine.cart_id == cart_id).order_by(CartLine.added_at, CartLine.id)))


def _line(row: CartLine) -> Line:
    return Line(variant_id=row.variant_id, quantity=row.quantity, channel=row.channel, seen_unit_minor=row.seen_unit_minor,
                seen_currency=row.seen_currency, updated_at=row.updated_at)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cart_out(uow: Uow, row: Cart) -> CartOut:
    lines = [CartLineOut(variant_id=r.variant_id, sku=r.sku, quantity=r.quantity, channel=r.channel, added_at=r.added_at,
                         updated_at=r.updated_at, seen_unit_price=_price(r)) for r in _lines(uow, row.id)]
    return CartOut(id=row.id, customer_id=row.customer_id, status=row.status, channel=row.channel, lines=lines,
                   created_at=row.created_at, updated_at=row.updated_at)


def _price(row: CartLine) -> MoneyOut | None:
    if row.seen_unit_minor is None or row.seen_currency is None:
        return None
    money = Money(row.seen_unit_minor, row.seen_currency)
    return MoneyOut(amount=str(money.amount), currency=money.currency)
