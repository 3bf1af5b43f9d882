"""How a planned demo order pays its quoted total: the tenders a till or a checkout page would send, split where planned.

The demo remembers what gift cards, store credit and points are left (it issued them and spends them only through
orders), so a split tender never asks for more than there is; a balance that ran dry falls back to a card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tvers.demo.order_plan import PlannedOrder, Tender, card_number
from tvers.kernel.money import Money

DECLINING_CARD = "4000000000000002"  # the test provider declines it: card_declined
GUEST_CARDS = 10_000_000  # card holders above this are guests (one card per guest order)
CASH_NOTE = {"NOK": 50, "SEK": 50, "DKK": 50, "EUR": 5}  # the note a customer hands over rounds up to this


@dataclass
class GiftCard:
    code: str
    balance: Money


@dataclass
class Wallet:
    """What the demo's customers still hold: gift cards by currency, store credit and points by shopper index."""

    gift_cards: dict[str, list[GiftCard]] = field(default_factory=dict)
    store_credit: dict[int, Money] = field(default_factory=dict)
    points: dict[int, int] = field(default_factory=dict)
    point_value: dict[str, int] = field(default_factory=dict)  # minor units one point is worth, per currency


@dataclass(frozen=True)
class Payment:
    """The tenders to send, and what to take from the wallet once the order goes through."""

    tenders: list[dict[str, Any]]
    gift_card: tuple[GiftCard, Money] | None = None
    store_credit: tuple[int, Money] | None = None  # (shopper index, amount)
    points: tuple[int, int] | None = None  # (shopper index, points)


def payment_for(order: PlannedOrder, total: Money, *, wallet: Wallet, number: int) -> Payment:
    """The tenders for `total`: as planned when the wallet allows, else by card."""
    card = _card(order, number)
    if order.tender is Tender.MARKETPLACE:
        return Payment([_tender("marketplace", total, marketplace_order_id=order.key)])
    if order.tender is Tender.DECLINED_CARD:
        return Payment([_tender("test_card", total, card_number=DECLINING_CARD)])
    if order.tender is Tender.CASH:
        return Payment([_cash(total)])
    split = _split(order, total, wallet=wallet, card=card, number=number)
    return split if split is not None else Payment([_tender("test_card", total, card_number=card)])


def spend(wallet: Wallet, payment: Payment) -> None:
    """Take what a placed order paid from the wallet (a failed order gave it all back)."""
    if payment.gift_card is not None:
        card, amount = payment.gift_card
        card.balance = card.balance - amount
    if payment.store_credit is not None:
        shopper, amount = payment.store_credit
        wallet.store_credit[shopper] = wallet.store_credit[shopper] - amount
    if payment.points is not None:
        shopper, points = payment.points
        wallet.points[shopper] -= points


def _split(order: PlannedOrder, total: Money, *, wallet: Wallet, card: str, number: int) -> Payment | None:
    part = Money(max(total.minor // 5, 100), total.currency)  # what the second tender pays at least
    if total.minor < 2 * part.minor:
        return None
    if order.tender is Tender.GIFT_CARD_AND_CARD:
        gift = _gift_card(wallet.gift_cards.get(total.currency, []), start=number)
        if gift is None:
            return None
        used = min(gift.balance, total - part)
        return Payment([_tender("gift_card", used, code=gift.code), _tender("test_card", total - used, card_number=card)],
                       gift_card=(gift, used))
    if order.tender is Tender.STORE_CREDIT_AND_CASH and order.shopper is not None:
        held = wallet.store_credit.get(order.shopper)
        if held is None or held.minor <= 0:
            return None
        used = min(held, total - part)
        return Payment([_tender("store_credit", used), _cash(total - used)], store_credit=(order.shopper, used))
    if order.tender is Tender.POINTS_AND_CARD and order.shopper is not None:
        return _points(order.shopper, total, wallet=wallet, card=card)
    return None


def _points(shopper: int, total: Money, *, wallet: Wallet, card: str) -> Payment | None:
    """Burn whole hundreds of points, for at most half the total."""
    per_point = wallet.point_value.get(total.currency)
    if not per_point:
        return None
    points = min(wallet.points.get(shopper, 0), total.minor // 2 // per_point) // 100 * 100
    if points <= 0:
        return None
    worth = Money(points * per_point, total.currency)
    return Payment([_tender("loyalty_points", worth, points=points), _tender("test_card", total - worth, card_number=card)],
                   points=(shopper, points))


def _gift_card(cards: list[GiftCard], *, start: int) -> GiftCard | None:
    """A card with money left, a different one each time (gift cards were given to many people)."""
    for offset in range(len(cards)):
        card = cards[(start + offset) % len(cards)]
        if card.balance.minor > 0:
            return card
    return None


def _card(order: PlannedOrder, number: int) -> str:
    holder = order.shopper if order.shopper is not None else GUEST_CARDS + number
    return card_number(holder, brand="visa" if holder % 3 else "mastercard")


def _cash(due: Money) -> dict[str, Any]:
    """Notes handed over: the amount due rounded up to the next note; the till gives change."""
    step = CASH_NOTE[due.currency] * 100
    return _tender("cash", Money(-(-due.minor // step) * step, due.currency))


def _tender(kind: str, amount: Money, **details: Any) -> dict[str, Any]:
    return {"tender": kind, "amount": str(Decimal(amount.amount)), "currency": amount.currency, **details}
