"""Store credit: per customer per currency, an append-only ledger and a cached balance that never goes negative."""

from __future__ import annotations

from sqlalchemy import func, select, update

from tvers.customers import events
from tvers.customers.errors import InsufficientBalance, RedemptionNotFound
from tvers.customers.models import StoreCreditAccount, StoreCreditEntry
from tvers.customers.money_schemas import StoreCreditIn, StoreCreditOut, StoreCreditRedeemIn
from tvers.customers.service._shared import add_activity, check_channel, current_row, live_row, rows_changed
from tvers.customers.service.gift_cards import money_out, positive_money
from tvers.db.uow import Uow
from tvers.db.upsert import insert_missing
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money


def issue_store_credit(uow: Uow, customer_id: str, data: StoreCreditIn) -> StoreCreditOut:
    row = live_row(uow, customer_id)
    amount = positive_money(data.amount, data.currency, field="amount")
    if _entry(uow, "issue", data.reference) is None:
        move_credit(uow, row.id, amount, kind="issue", reference=data.reference, reason=data.reason,
                    channel=check_channel(uow, data.channel))
    return store_credit_of(uow, row.id)


def redeem_store_credit(uow: Uow, customer_id: str, data: StoreCreditRedeemIn) -> StoreCreditOut:
    """Spend credit as a tender; the same reference spends once."""
    row = live_row(uow, customer_id)
    amount = positive_money(data.amount, data.currency, field="amount")
    if _entry(uow, "redeem", data.reference) is None:
        move_credit(uow, row.id, -amount, kind="redeem", reference=data.reference, channel=check_channel(uow, data.channel))
    return store_credit_of(uow, row.id)


def restore_store_credit(uow: Uow, reference: str) -> StoreCreditOut:
    """Give back credit spent on a checkout that did not complete; once."""
    spent = _entry(uow, "redeem", reference)
    if spent is None:
        raise RedemptionNotFound(f"no store credit was redeemed with reference {reference!r}")
    owner = current_row(uow, spent.customer_id).id
    if _entry(uow, "restore", reference) is None:
        move_credit(uow, owner, Money(-spent.amount_minor, spent.currency), kind="restore", reference=reference)
    return store_credit_of(uow, owner)


def transfer_balances(uow: Uow, *, from_customer: str, to_customer: str) -> None:
    """A merge moves each currency's balance with a pair of entries."""
    for currency, balance in _balances(uow, from_customer).items():
        if balance > 0:
            reference = f"merge:{from_customer}:{currency}"
            move_credit(uow, from_customer, Money(-balance, currency), kind="merge_out", reference=reference)
            move_credit(uow, to_customer, Money(balance, currency), kind="merge_in", reference=reference)


def move_credit(uow: Uow, customer_id: str, amount: Money, *, kind: str, reference: str | None, reason: str | None = None,
                channel: str | None = None) -> None:
    now = uow.clock.now()
    insert_missing(uow.session, StoreCreditAccount.__table__,  # type: ignore[arg-type]
                   [{"customer_id": customer_id, "currency": amount.currency, "balance_minor": 0, "updated_at": now}],
                   keys=("customer_id", "currency"))
    moved = rows_changed(uow.session.execute(update(StoreCreditAccount).where(
        StoreCreditAccount.customer_id == customer_id, StoreCreditAccount.currency == amount.currency,
        StoreCreditAccount.balance_minor + amount.minor >= 0)
        .values(balance_minor=StoreCreditAccount.balance_minor + amount.minor, updated_at=now)
        .execution_options(synchronize_session=False)))
    if moved != 1:
        message = f"the store credit in {amount.currency} is too small for {-amount}"
        raise InsufficientBalance(message, fields=[FieldError("amount", message, InsufficientBalance.code)])
    uow.session.add(StoreCreditEntry(id=new_id("scr"), customer_id=customer_id, currency=amount.currency, kind=kind,
                                     amount_minor=amount.minor, reference=reference, reason=reason, channel=channel, at=now))
    add_activity(uow, customer_id, f"store_credit_{kind}", channel=channel, currency=amount.currency, amount_minor=amount.minor)
    uow.session.flush()
    uow.record(events.StoreCreditChanged(customer_id=customer_id, currency=amount.currency, kind=kind, amount_minor=amount.minor))


def store_credit_of(uow: Uow, customer_id: str) -> StoreCreditOut:
    row = current_row(uow, customer_id)
    return StoreCreditOut(customer_id=row.id, balances=[money_out(Money(b, c)) for c, b in sorted(_balances(uow, row.id).items())])


def check_store_credit_ledgers(uow: Uow) -> list[str]:
    """Doctor check: (customer, currency) accounts whose cached balance differs from their ledger."""
    sums = {(c, cur): int(s or 0) for c, cur, s in uow.session.execute(
        select(StoreCreditEntry.customer_id, StoreCreditEntry.currency, func.sum(StoreCreditEntry.amount_minor))
        .group_by(StoreCreditEntry.customer_id, StoreCreditEntry.currency))}
    accounts = {(c, cur): b for c, cur, b in uow.session.execute(
        select(StoreCreditAccount.customer_id, StoreCreditAccount.currency, StoreCreditAccount.balance_minor))}
    return sorted(f"{c}:{cur}" for c, cur in sums.keys() | accounts.keys() if sums.get((c, cur), 0) != accounts.get((c, cur), 0))


def _balances(uow: Uow, customer_id: str) -> dict[str, int]:
    return dict(uow.session.execute(select(StoreCreditAccount.currency, StoreCreditAccount.balance_minor)
                                    .where(StoreCreditAccount.customer_id == customer_id)).all())


def _entry(uow: Uow, kind: str, reference: str) -> StoreCreditEntry | None:
    return uow.session.execute(select(StoreCreditEntry).where(StoreCreditEntry.kind == kind,
                                                              StoreCreditEntry.reference == reference)).scalar_one_or_none()
