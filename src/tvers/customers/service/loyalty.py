"""Loyalty: the programme, the append-only points ledger (earn, burn, restore, expire, adjust, reverse) and tiers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from tvers.catalog.schemas import MoneyOut
from tvers.customers import events
from tvers.customers.errors import InsufficientPoints, RedemptionNotFound, WrongCurrency
from tvers.customers.loyalty_rules import DEFAULT_PROGRAMME, points_for, tier_for, value_of
from tvers.customers.models import Customer, LoyaltyAccount, LoyaltyProgramme, PointsEntry
from tvers.customers.money_schemas import (
    AdjustPointsIn,
    CustomerTierOut,
    LoyaltyOut,
    PointsEntryOut,
    PointsKind,
    ProgrammeIn,
    ProgrammeOut,
    RedeemPointsIn,
    RedemptionOut,
    TierBenefits,
    TierOut,
)
from tvers.customers.schemas import CustomerStatus
from tvers.customers.service._shared import add_activity, current_row, customer_row, live_row, rows_changed
from tvers.db.uow import Uow
from tvers.db.upsert import insert_missing
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money

PROGRAMME_ID = "default"


def get_programme(uow: Uow) -> ProgrammeOut:
    return _programme_out(uow.session.get(LoyaltyProgramme, PROGRAMME_ID))


def _programme_out(row: LoyaltyProgramme | None) -> ProgrammeOut:
    if row is None:
        return ProgrammeOut(**DEFAULT_PROGRAMME.model_dump(), version=0)
    return ProgrammeOut(**row.config, version=row.version)


def set_programme(uow: Uow, data: ProgrammeIn) -> ProgrammeOut:
    """Replace the retailer's programme; earning and tiers use it from the next command on."""
    row = uow.session.get(LoyaltyProgramme, PROGRAMME_ID)
    config = data.model_dump(mode="json")
    if row is None:
        row = LoyaltyProgramme(id=PROGRAMME_ID, config=config, version=1, updated_at=uow.clock.now())
        uow.session.add(row)
    else:
        row.config, row.version, row.updated_at = config, row.version + 1, uow.clock.now()
    uow.session.flush()
    return ProgrammeOut(**config, version=row.version)


def earn_for_order(uow: Uow, *, order_id: str, customer_id: str, channel: str | None, currency: str, amount_minor: int,
                   completed_at: datetime | None = None) -> int:
    """Points for a completed order from any channel; once per order however often the event arrives."""
    row = current_row(uow, customer_id)
    if row.status == CustomerStatus.ERASED or _entry(uow, PointsKind.EARN, order_id) is not None:
        return 0
    points = points_for(get_programme(uow), currency=currency, amount_minor=amount_minor)
    if points <= 0:
        return 0
    append_points(uow, row.id, PointsKind.EARN, points, reference=order_id, channel=channel, currency=currency,
                  amount_minor=amount_minor, at=completed_at)
    return points


def reverse_order_points(uow: Uow, *, order_id: str, reason: str) -> int:
    """Take back what an order earned (it was returned or cancelled); once per order."""
    earned = _entry(uow, PointsKind.EARN, order_id)
    if earned is None or _entry(uow, PointsKind.REVERSE, order_id) is not None:
        return 0
    owner = current_row(uow, earned.customer_id).id
    append_points(uow, owner, PointsKind.REVERSE, -earned.points, reference=order_id, reason=reason, currency=earned.currency,
                  amount_minor=-(earned.amount_minor or 0))
    return earned.points


def points_earned_on_order(uow: Uow, order_id: str) -> int:
    """What an order earned (0 when it earned nothing, or not yet)."""
    earned = _entry(uow, PointsKind.EARN, order_id)
    return earned.points if earned is not None else 0


def reverse_returned_points(uow: Uow, *, order_id: str, reference: str, points: int, reason: str) -> int:
    """Take back `points` of what an order earned, for the part of it returned under `reference`; once per reference.

    Never below a zero balance (points already spent stay spent); returns the points taken.
    """
    earned = _entry(uow, PointsKind.EARN, order_id)
    if points <= 0 or earned is None or _entry(uow, PointsKind.REVERSE, reference) is not None:
        return 0
    owner = current_row(uow, earned.customer_id).id
    taken = min(points, balance_of(uow, owner))
    append_points(uow, owner, PointsKind.REVERSE, -taken, reference=reference, reason=reason, currency=earned.currency)
    return taken


def redeem_points(uow: Uow, customer_id: str, data: RedeemPointsIn) -> RedemptionOut:
    """Burn points as a tender; the same reference burns once and answers the first result again."""
    row = live_row(uow, customer_id)
    programme = get_programme(uow)
    value = value_of(programme, currency=data.currency, points=data.points)
    if value is None:
        message = f"points cannot be spent in {data.currency}"
        raise WrongCurrency(message, fields=[FieldError("currency", message, WrongCurrency.code)])
    earlier = _entry(uow, PointsKind.BURN, data.reference)
    if earlier is None:
        append_points(uow, row.id, PointsKind.BURN, -data.points, reference=data.reference, channel=data.channel,
                      currency=data.currency, amount_minor=value)
        earlier = _entry(uow, PointsKind.BURN, data.reference)
    assert earlier is not None
    return _redemption(earlier)


def restore_points(uow: Uow, reference: str) -> RedemptionOut:
    """Give back points burnt for a tender that was not used (failed or cancelled checkout); once."""
    burnt = _entry(uow, PointsKind.BURN, reference)
    if burnt is None:
        raise RedemptionNotFound(f"no points were redeemed with reference {reference!r}")
    if _entry(uow, PointsKind.RESTORE, reference) is None:
        append_points(uow, current_row(uow, burnt.customer_id).id, PointsKind.RESTORE, -burnt.points, reference=reference,
                      currency=burnt.currency, amount_minor=burnt.amount_minor)
    return _redemption(burnt)


def give_back_points(uow: Uow, *, burn_reference: str, value_minor: int, reference: str) -> int:
    """Give back part of a burn as points (a refund of part of a points payment), once per `reference`.

    In proportion to the value refunded, counted cumulatively over the burn's give-backs (references
    `{burn_reference}:…`): rounded down, the give-back that completes the burn's value returning the rest, so the
    parts always add up to the points burnt. Returns the points given back.
    """
    burnt = _entry(uow, PointsKind.BURN, burn_reference)
    if burnt is None:
        raise RedemptionNotFound(f"no points were redeemed with reference {burn_reference!r}")
    if _entry(uow, PointsKind.RESTORE, reference) is not None:
        return 0
    points, value = -burnt.points, burnt.amount_minor or 0
    given_back = uow.session.execute(
        select(func.coalesce(func.sum(PointsEntry.points), 0), func.coalesce(func.sum(PointsEntry.amount_minor), 0))
        .where(PointsEntry.kind == PointsKind.RESTORE.value, PointsEntry.reference.like(f"{burn_reference}:%"))).one()
    back_points, back_value = int(given_back[0] or 0), int(given_back[1] or 0)
    after = back_value + value_minor
    if value <= 0 or after > value:
        message = f"{value_minor} more cannot go back: the burn was worth {value}, {back_value} went back already"
        raise InsufficientPoints(message, fields=[FieldError("amount", message, InsufficientPoints.code)])
    target = points if after == value else points * after // value
    given = target - back_points
    append_points(uow, current_row(uow, burnt.customer_id).id, PointsKind.RESTORE, given, reference=reference,
                  currency=burnt.currency, amount_minor=value_minor)
    return given


def adjust_points(uow: Uow, customer_id: str, data: AdjustPointsIn, *, actor: str) -> int:
    row = live_row(uow, customer_id)
    append_points(uow, row.id, PointsKind.ADJUST, data.points, reason=f"{data.reason} (by {actor})")
    return balance_of(uow, row.id)


def expire_points(uow: Uow, customer_id: str, *, points: int, reason: str) -> int:
    row = current_row(uow, customer_id)
    append_points(uow, row.id, PointsKind.EXPIRE, -min(points, balance_of(uow, row.id)), reason=reason)
    return balance_of(uow, row.id)


def transfer_points(uow: Uow, *, from_customer: str, to_customer: str) -> None:
    """A merge moves the balance by a pair of entries; the merged profile's own entries stay as they were."""
    balance = balance_of(uow, from_customer)
    if balance > 0:
        reference = f"merge:{from_customer}"
        append_points(uow, from_customer, PointsKind.MERGE_OUT, -balance, reference=reference)
        append_points(uow, to_customer, PointsKind.MERGE_IN, balance, reference=reference)


def append_points(uow: Uow, customer_id: str, kind: PointsKind, points: int, *, reference: str | None = None,
                  reason: str | None = None, channel: str | None = None, currency: str | None = None,
                  amount_minor: int | None = None, at: datetime | None = None) -> None:
    """One ledger entry and one conditional UPDATE of the cached balance, which can never go below zero."""
    if points == 0:
        return
    now = uow.clock.now()
    insert_missing(uow.session, LoyaltyAccount.__table__, [{"customer_id": customer_id, "balance": 0, "updated_at": now}],  # type: ignore[arg-type]
                   keys=("customer_id",))
    moved = rows_changed(uow.session.execute(update(LoyaltyAccount).where(
        LoyaltyAccount.customer_id == customer_id, LoyaltyAccount.balance + points >= 0)
        .values(balance=LoyaltyAccount.balance + points, updated_at=now).execution_options(synchronize_session=False)))
    if moved != 1:
        message = f"the balance is {balance_of(uow, customer_id)} points; {-points} cannot be taken"
        raise InsufficientPoints(message, fields=[FieldError("points", message, InsufficientPoints.code)])
    uow.session.add(PointsEntry(id=new_id("pts"), customer_id=customer_id, kind=kind.value, points=points, reference=reference,
                                reason=reason, channel=channel, currency=currency, amount_minor=amount_minor, at=at or now))
    add_activity(uow, customer_id, f"points_{kind.value}", channel=channel, points=points)
    uow.session.flush()
    uow.record(events.PointsChanged(customer_id=customer_id, kind=kind.value, points=points, reference=reference))


def balance_of(uow: Uow, customer_id: str) -> int:
    return uow.session.scalar(select(LoyaltyAccount.balance).where(LoyaltyAccount.customer_id == customer_id)) or 0


def loyalty_summary(uow: Uow, customer_id: str) -> LoyaltyOut:
    row = current_row(uow, customer_id)
    programme = get_programme(uow)
    points, spend = _qualifying(uow, row.id, since=uow.clock.now() - timedelta(days=programme.window_days))
    tier, following = tier_for(programme, points=points, spend_minor=spend)
    return LoyaltyOut(customer_id=row.id, balance=balance_of(uow, row.id),
                      tier=TierOut(code=tier.code, name=tier.name, benefits=tier.benefits), qualifying_points=points,
                      qualifying_spend_minor=spend, next_tier=following.code if following else None)


def tier_benefits(uow: Uow, customer_id: str) -> TierBenefits:
    """What the customer's tier gives today: for pricing (percentage off, free shipping, early access)."""
    return loyalty_summary(uow, customer_id).tier.benefits


def customer_tier(uow: Uow, customer_id: str) -> CustomerTierOut:
    """The live profile answering for `customer_id` and its tier today: what pricing needs, in two statements.

    Checkout quotes every order, so the profile and the programme come in one statement (the programme
    has a fixed id) and the qualifying points in another; a merged id costs a statement per hop.
    """
    found = uow.session.execute(select(Customer, LoyaltyProgramme).outerjoin(LoyaltyProgramme, LoyaltyProgramme.id == PROGRAMME_ID)
                                .where(Customer.id == customer_id)).one_or_none()
    row, programme = found if found is not None else (customer_row(uow, customer_id), None)  # customer_row raises NotFound
    if row.merged_into is not None or row.status == CustomerStatus.ERASED:
        row = live_row(uow, row.id)
    programme_out = _programme_out(programme)
    points, spend = _qualifying(uow, row.id, since=uow.clock.now() - timedelta(days=programme_out.window_days))
    tier, _following = tier_for(programme_out, points=points, spend_minor=spend)
    return CustomerTierOut(customer_id=row.id, tier=TierOut(code=tier.code, name=tier.name, benefits=tier.benefits))


def points_history(uow: Uow, customer_id: str) -> list[PointsEntryOut]:
    rows = uow.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == current_row(uow, customer_id).id)
                               .order_by(PointsEntry.at, PointsEntry.id))
    return [PointsEntryOut(id=r.id, kind=PointsKind(r.kind), points=r.points, reference=r.reference, reason=r.reason,
                           channel=r.channel, at=r.at) for r in rows]


def check_points_ledgers(uow: Uow) -> list[str]:
    """Doctor check: every cached balance equals the sum of its ledger; returns the accounts that differ."""
    sums = dict(uow.session.execute(select(PointsEntry.customer_id, func.sum(PointsEntry.points))
                                    .group_by(PointsEntry.customer_id)).all())
    accounts = dict(uow.session.execute(select(LoyaltyAccount.customer_id, LoyaltyAccount.balance)).all())
    return sorted(c for c in sums.keys() | accounts.keys() if int(sums.get(c) or 0) != int(accounts.get(c) or 0))


def _qualifying(uow: Uow, survivor_id: str, *, since: datetime) -> tuple[int, dict[str, int]]:
    """Points and spend earned in the window by the profile and every profile merged into it."""
    family = select(Customer.id).where(or_(Customer.id == survivor_id, Customer.merged_into == survivor_id))
    rows = uow.session.execute(select(PointsEntry.points, PointsEntry.currency, PointsEntry.amount_minor).where(
        PointsEntry.customer_id.in_(family), PointsEntry.kind.in_([PointsKind.EARN.value, PointsKind.REVERSE.value]),
        PointsEntry.at >= since)).all()
    spend: dict[str, int] = {}
    for _points, currency, amount in rows:
        if currency:
            spend[currency] = spend.get(currency, 0) + int(amount or 0)
    return sum(int(p) for p, _c, _a in rows), spend


def _entry(uow: Uow, kind: PointsKind, reference: str) -> PointsEntry | None:
    return uow.session.execute(select(PointsEntry).where(PointsEntry.kind == kind.value, PointsEntry.reference == reference)
                               ).scalar_one_or_none()


def _redemption(entry: PointsEntry) -> RedemptionOut:
    money = Money(entry.amount_minor or 0, entry.currency or "NOK")
    return RedemptionOut(reference=entry.reference or "", points=-entry.points, value=MoneyOut(amount=str(money.amount),
                                                                                               currency=money.currency))
