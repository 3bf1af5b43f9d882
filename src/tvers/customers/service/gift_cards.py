"""Gift cards: issued with a code shown once (stored as SHA-256), redeemed by one conditional UPDATE, by any channel."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from tvers.catalog.schemas import MoneyOut
from tvers.customers import events
from tvers.customers.errors import GiftCardExpired, GiftCardNotFound, GiftCardVoid, InsufficientBalance, WrongCurrency
from tvers.customers.models import GiftCard, GiftCardEntry
from tvers.customers.money_schemas import (
    GiftCardEntryOut,
    GiftCardIssued,
    GiftCardIssueIn,
    GiftCardOut,
    GiftCardRedeemIn,
    GiftCardRefundIn,
)
from tvers.customers.service._shared import check_channel, live_row
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, InvalidInput, TversError
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money

ACTIVE, VOID = "active", "void"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed at tills


def issue_gift_card(uow: Uow, data: GiftCardIssueIn) -> GiftCardIssued:
    amount = positive_money(data.amount, data.currency, field="amount")
    owner = live_row(uow, data.owner_id, field="owner_id").id if data.owner_id else None
    channel = check_channel(uow, data.channel)
    code = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    row = GiftCard(id=new_id("gfc"), code_hash=code_digest(code), last4=code[-4:], currency=amount.currency,
                   initial_minor=amount.minor, balance_minor=amount.minor, expires_on=data.expires_on, status=ACTIVE,
                   owner_id=owner, issued_channel=channel, created_at=uow.clock.now())
    uow.session.add(row)
    uow.session.flush()
    _entry(uow, row.id, "issue", amount.minor, reference=None, channel=channel)
    uow.record(events.GiftCardIssued(gift_card_id=row.id, currency=amount.currency, amount_minor=amount.minor))
    return GiftCardIssued(**gift_card_out(row).model_dump(), code=code)


def redeem_gift_card(uow: Uow, data: GiftCardRedeemIn) -> GiftCardOut:
    """Take `amount` off the card in ONE conditional UPDATE; the same reference redeems once.

    The ledger row is written first and the UPDATE last, so the card's row lock is held only from the
    UPDATE to the commit: a hot card serialises on as little work as possible.
    """
    card = card_by_code(uow, data.code)
    amount = positive_money(data.amount, data.currency, field="amount")
    if _find_entry(uow, card.id, "redeem", data.reference) is not None:
        return gift_card_out(card)
    _entry(uow, card.id, "redeem", -amount.minor, reference=data.reference, channel=data.channel)
    today = uow.clock.now().date()
    left = uow.session.execute(update(GiftCard).where(
        GiftCard.id == card.id, GiftCard.status == ACTIVE, GiftCard.balance_minor >= amount.minor,
        GiftCard.currency == amount.currency, or_(GiftCard.expires_on.is_(None), GiftCard.expires_on >= today))
        .values(balance_minor=GiftCard.balance_minor - amount.minor).returning(GiftCard.balance_minor)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if left is None:
        raise _why_not(uow, card.id, amount, today)
    set_committed_value(card, "balance_minor", left)
    return gift_card_out(card)


def refund_to_gift_card(uow: Uow, gift_card_id: str, data: GiftCardRefundIn) -> GiftCardOut:
    """Put money back on a card (a return or a cancelled checkout); once per reference."""
    card = _card(uow, gift_card_id)
    amount = positive_money(data.amount, data.currency, field="amount")
    _check_currency(card, amount)
    if card.status != ACTIVE:
        raise GiftCardVoid(f"gift card …{card.last4} is void")
    if _find_entry(uow, card.id, "refund", data.reference) is None:
        uow.session.execute(update(GiftCard).where(GiftCard.id == card.id, GiftCard.status == ACTIVE)
                            .values(balance_minor=GiftCard.balance_minor + amount.minor).execution_options(synchronize_session=False))
        _entry(uow, card.id, "refund", amount.minor, reference=data.reference, channel=data.channel)
        uow.session.refresh(card)
    return gift_card_out(card)


def void_gift_card(uow: Uow, gift_card_id: str) -> GiftCardOut:
    """Cancel a card; what was left on it is written off in the ledger so the sum still equals the balance."""
    card = _card(uow, gift_card_id)
    left = uow.session.execute(update(GiftCard).where(GiftCard.id == card.id, GiftCard.status == ACTIVE)
                               .values(status=VOID, balance_minor=0).returning(GiftCard.balance_minor)).scalar_one_or_none()
    if left is None:
        raise GiftCardVoid(f"gift card …{card.last4} is already void")
    uow.session.refresh(card)
    _entry(uow, card.id, "void", -_ledger_sum(uow, card.id), reference=None, channel=None)
    return gift_card_out(card)


def get_gift_card(uow: Uow, gift_card_id: str) -> GiftCardOut:
    return gift_card_out(_card(uow, gift_card_id))


def check_gift_card(uow: Uow, code: str) -> GiftCardOut:
    """Balance by code, as a till or web checkout asks before tendering."""
    return gift_card_out(card_by_code(uow, code))


def gift_card_entries(uow: Uow, gift_card_id: str) -> list[GiftCardEntryOut]:
    card = _card(uow, gift_card_id)
    rows = uow.session.scalars(select(GiftCardEntry).where(GiftCardEntry.gift_card_id == card.id)
                               .order_by(GiftCardEntry.at, GiftCardEntry.id))
    return [GiftCardEntryOut(kind=r.kind, amount=money_out(Money(r.amount_minor, card.currency)), reference=r.reference,
                             channel=r.channel, at=r.at) for r in rows]


def owned_gift_cards(uow: Uow, customer_id: str) -> list[GiftCardOut]:
    rows = uow.session.scalars(select(GiftCard).where(GiftCard.owner_id == customer_id).order_by(GiftCard.id))
    return [gift_card_out(r) for r in rows]


def transfer_ownership(uow: Uow, *, from_customer: str, to_customer: str) -> None:
    uow.session.execute(update(GiftCard).where(GiftCard.owner_id == from_customer).values(owner_id=to_customer)
                        .execution_options(synchronize_session=False))


def check_gift_card_ledgers(uow: Uow) -> list[str]:
    """Doctor check: gift cards whose balance differs from the sum of their ledger."""
    sums = dict(uow.session.execute(select(GiftCardEntry.gift_card_id, func.sum(GiftCardEntry.amount_minor))
                                    .group_by(GiftCardEntry.gift_card_id)).all())
    balances = dict(uow.session.execute(select(GiftCard.id, GiftCard.balance_minor)).all())
    return sorted(c for c in sums.keys() | balances.keys() if int(sums.get(c) or 0) != int(balances.get(c) or 0))


def card_by_code(uow: Uow, code: str) -> GiftCard:
    row = uow.session.execute(select(GiftCard).where(GiftCard.code_hash == code_digest(code))).scalar_one_or_none()
    if row is None:
        raise GiftCardNotFound("no gift card with this code", fields=[FieldError("code", "unknown gift card code", GiftCardNotFound.code)])
    return row


def code_digest(code: str) -> str:
    normalised = code.strip().upper().replace(" ", "").replace("-", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def positive_money(amount: Decimal, currency: str, *, field: str) -> Money:
    try:
        money = Money.of(amount, currency)
    except TversError as error:
        raise type(error)(error.message, fields=[FieldError(field, error.message, error.code)]) from None
    if money.minor <= 0:
        raise InvalidInput("the amount must be positive", code="invalid_amount",
                           fields=[FieldError(field, "must be positive", "invalid_amount")])
    return money


def _why_not(uow: Uow, card_id: str, amount: Money, today: date) -> TversError:
    """The conditional UPDATE said no; read the card once to say which condition failed."""
    card = uow.session.get(GiftCard, card_id, populate_existing=True)
    assert card is not None
    if card.currency != amount.currency:
        return _wrong_currency(card)
    if card.status != ACTIVE:
        return GiftCardVoid(f"gift card …{card.last4} is void")
    if card.expires_on is not None and card.expires_on < today:
        return GiftCardExpired(f"gift card …{card.last4} expired on {card.expires_on}",
                               fields=[FieldError("code", "expired", GiftCardExpired.code)])
    message = f"the card holds {Money(card.balance_minor, card.currency)}; {amount} cannot be taken"
    return InsufficientBalance(message, fields=[FieldError("amount", message, InsufficientBalance.code)])


def _check_currency(card: GiftCard, amount: Money) -> None:
    if card.currency != amount.currency:
        raise _wrong_currency(card)


def _wrong_currency(card: GiftCard) -> WrongCurrency:
    message = f"the card is in {card.currency}"
    return WrongCurrency(message, fields=[FieldError("currency", message, WrongCurrency.code)])


def _card(uow: Uow, gift_card_id: str) -> GiftCard:
    row = uow.session.get(GiftCard, gift_card_id)
    if row is None:
        raise GiftCardNotFound(f"no gift card {gift_card_id!r}")
    return row


def _find_entry(uow: Uow, card_id: str, kind: str, reference: str) -> GiftCardEntry | None:
    return uow.session.execute(select(GiftCardEntry).where(GiftCardEntry.gift_card_id == card_id, GiftCardEntry.kind == kind,
                                                           GiftCardEntry.reference == reference)).scalar_one_or_none()


def _ledger_sum(uow: Uow, card_id: str) -> int:
    return int(uow.session.scalar(select(func.coalesce(func.sum(GiftCardEntry.amount_minor), 0))
                                  .where(GiftCardEntry.gift_card_id == card_id)) or 0)


def _entry(uow: Uow, card_id: str, kind: str, amount_minor: int, *, reference: str | None, channel: str | None) -> None:
    uow.session.add(GiftCardEntry(id=new_id("gce"), gift_card_id=card_id, kind=kind, amount_minor=amount_minor,
                                  reference=reference, channel=channel, at=uow.clock.now()))
    uow.session.flush()
    uow.record(events.GiftCardChanged(gift_card_id=card_id, kind=kind, amount_minor=amount_minor, reference=reference))


def money_out(money: Money) -> MoneyOut:
    return MoneyOut(amount=str(money.amount), currency=money.currency)


def gift_card_out(row: GiftCard) -> GiftCardOut:
    return GiftCardOut(id=row.id, last4=row.last4, currency=row.currency, balance=money_out(Money(row.balance_minor, row.currency)),
                       initial=money_out(Money(row.initial_minor, row.currency)), expires_on=row.expires_on, status=row.status,
                       owner_id=row.owner_id, created_at=row.created_at)
