"""PROOF "Ledger invariants under random operations": a state machine drives the stock services at random.

Two variants × three locations; rules receive, reserve (sometimes more than there is),
release, consume (whole or part), count (sometimes as of a moment in the past), transfer
(create, ship, receive in parts, sometimes too much), write off, set safety stock and
expire (the clock moves past some reservations, then the sweep runs). A model kept here
says what every level must hold. After every step: the doctor finds nothing, no level is
negative, and the database equals the model — levels and active reservations alike. A
refused command must be the refusal the model expects and must change nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select, text

from support.inventory import Place, StockSetup, counts, doctor_findings, levels, make_stock_setup
from tvers.bootstrap import Tvers
from tvers.db.uow import Uow
from tvers.inventory import service as inventory
from tvers.inventory.errors import InsufficientStock, OverReceipt, ReservationExpired
from tvers.inventory.models import Reservation
from tvers.inventory.schemas import CountIn, ReceiveIn, StockLineIn, StockSettingsIn, TransferIn, TransferReceiveIn, WriteOffIn
from tvers.kernel.clock import FixedClock
from tvers.kernel.errors import TversError

LOCATIONS = ("loc-a", "loc-b", "loc-c")
TRANSFER_HOLD = timedelta(days=90)
INVENTORY_TABLES = ("transfer_lines", "transfers", "reservations", "inventory_movements", "stock_levels", "stock_sync_batches",
                    "outbox")

# Shrinking a failure replays hundreds of database steps (minutes); the unshrunk steps are printed and short enough.
NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)

Pair = tuple[int, int]  # (variant index, location index)


@dataclass
class Held:
    """A reservation the model knows: where, how many, until when; transfer ones belong to their transfer."""

    pair: Pair
    quantity: int
    expires_at: datetime
    transfer: bool = False


@dataclass
class ModelTransfer:
    source: int
    target: int
    lines: dict[int, int]  # variant index → quantity
    reservations: list[str]
    status: str = "requested"
    received: dict[int, int] = field(default_factory=dict)


@dataclass
class Model:
    on_hand: dict[Pair, int] = field(default_factory=dict)
    safety: dict[Pair, int] = field(default_factory=dict)
    active: dict[str, Held] = field(default_factory=dict)  # reservation id → what it holds
    closed: list[str] = field(default_factory=list)
    moves: list[tuple[Pair, int, datetime]] = field(default_factory=list)  # the ledger: (pair, signed quantity, at)
    transfers: dict[str, ModelTransfer] = field(default_factory=dict)

    def reserved(self, pair: Pair) -> int:
        return sum(h.quantity for h in self.active.values() if h.pair == pair)

    def available(self, pair: Pair) -> int:
        return self.on_hand.get(pair, 0) - self.reserved(pair) - self.safety.get(pair, 0)

    def move(self, pair: Pair, quantity: int, at: datetime) -> None:
        self.on_hand[pair] = self.on_hand.get(pair, 0) + quantity
        self.moves.append((pair, quantity, at))

    def expire_at(self, pairs: set[Pair], now: datetime) -> None:
        for rid, held in list(self.active.items()):
            if held.pair in pairs and held.expires_at <= now:
                self.close(rid)

    def close(self, rid: str) -> None:
        del self.active[rid]
        self.closed.append(rid)

    def can_reserve(self, lines: list[tuple[Pair, int]]) -> bool:
        """All lines or none, each against what the lines before it left."""
        taken: dict[Pair, int] = {}
        for pair, quantity in lines:
            taken[pair] = taken.get(pair, 0) + quantity
            if self.available(pair) < taken[pair]:
                return False
        return True


quantities = st.integers(1, 12)
pairs = st.tuples(st.integers(0, 1), st.integers(0, 2))
picks = st.integers(0, 10_000)


def ledger_machine(tvers: Tvers, clock: FixedClock, setup: StockSetup) -> type[RuleBasedStateMachine]:
    start = clock.now()
    variant_ids = [setup.variant_ids[s] for s in setup.skus]
    location_ids = [setup.locations[c] for c in LOCATIONS]
    pair_of = {(variant_ids[v], location_ids[loc]): (v, loc) for v in range(2) for loc in range(3)}

    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = Model()
            self.refs = 0

        @initialize(stock=st.lists(st.integers(0, 25), min_size=6, max_size=6))
        def fresh_stock(self, stock: list[int]) -> None:
            """A fresh ledger for every example (catalog, channel and locations stay), then a first receipt."""
            with tvers.db.engine.begin() as connection:
                for table in INVENTORY_TABLES:
                    connection.execute(text(f'DELETE FROM "{table}"'))
            clock.set(start)
            for (v, loc), quantity in zip([(v, loc) for v in range(2) for loc in range(3)], stock, strict=True):
                if quantity:
                    self.receive((v, loc), quantity)

        # helpers

        def run(self, command: Callable[[Uow], Any]) -> TversError | None:
            """Run one command in its own transaction; a refusal must leave every table as it was."""
            before = counts(tvers)
            try:
                with tvers.uow() as uow:
                    command(uow)
                    uow.commit()
            except TversError as error:
                assert counts(tvers) == before, f"refused {error!r} but something changed"
                return error
            return None

        def expect(self, error: TversError | None, refusal: type[TversError] | None) -> None:
            if refusal is None:
                assert error is None, f"refused with {error!r}; the model expected success"
            else:
                assert isinstance(error, refusal), f"expected {refusal.__name__}, got {error!r}"

        def sku(self, v: int) -> str:
            return setup.skus[v]

        def reservation_ids(self, *, transfer: bool) -> list[str]:
            return sorted(rid for rid, held in self.model.active.items() if held.transfer is transfer)

        # rules

        @rule(pair=pairs, quantity=st.integers(1, 30))
        def receive(self, pair: Pair, quantity: int) -> None:
            v, loc = pair
            error = self.run(lambda uow: inventory.receive(uow, ReceiveIn(location=LOCATIONS[loc], lines=[
                StockLineIn(sku=self.sku(v), quantity=quantity)]), actor="test"))
            self.expect(error, None)
            self.model.move(pair, quantity, clock.now())

        @rule(lines=st.lists(st.tuples(pairs, quantities), min_size=1, max_size=3), minutes=st.sampled_from([5, 30, 120]))
        def reserve(self, lines: list[tuple[Pair, int]], minutes: int) -> None:
            self.refs += 1
            now, expires_at = clock.now(), clock.now() + timedelta(minutes=minutes)
            ids: list[str] = []
            error = self.run(lambda uow: ids.extend(inventory.reserve_stock(
                uow, lines=[inventory.ReserveLine(variant_ids[v], location_ids[loc], q, sku=self.sku(v)) for (v, loc), q in lines],
                ref=inventory.Ref("cart", f"cart-{self.refs}"), expires_at=expires_at)))
            # lazy expiry: only when the lines do not fit without the expired holds, undone with the rest if refused
            if not self.model.can_reserve(lines):
                trial = Model(on_hand=dict(self.model.on_hand), safety=dict(self.model.safety), active=dict(self.model.active))
                trial.expire_at({p for p, _ in lines}, now)
                if not trial.can_reserve(lines):
                    self.expect(error, InsufficientStock)
                    return
                self.model.expire_at({p for p, _ in lines}, now)
            self.expect(error, None)
            ordered = sorted(lines, key=lambda ln: (variant_ids[ln[0][0]], location_ids[ln[0][1]]))
            assert len(ids) == len(lines)
            for rid, (pair, quantity) in zip(ids, ordered, strict=True):
                self.model.active[rid] = Held(pair, quantity, expires_at)

        @precondition(lambda self: bool(self.reservation_ids(transfer=False)) or bool(self.model.closed))
        @rule(pick=picks)
        def release(self, pick: int) -> None:
            # an active reservation, or now and then one already closed: release is idempotent
            choices = self.reservation_ids(transfer=False) + self.model.closed[-2:]
            rid = choices[pick % len(choices)]
            released: list[str] = []
            error = self.run(lambda uow: released.extend(inventory.release_reservations(uow, [rid])))
            self.expect(error, None)
            if rid in self.model.active:
                assert released == [rid]
                self.model.close(rid)
            else:
                assert released == []

        @precondition(lambda self: bool(self.reservation_ids(transfer=False)))
        @rule(pick=picks, part=st.one_of(st.none(), st.integers(1, 12)))
        def consume(self, pick: int, part: int | None) -> None:
            choices = self.reservation_ids(transfer=False)
            rid = choices[pick % len(choices)]
            held = self.model.active[rid]
            take = held.quantity if part is None else min(part, held.quantity)
            error = self.run(lambda uow: inventory.consume_reservation(uow, rid, quantity=None if part is None else take, actor="test"))
            if held.expires_at <= clock.now():
                self.expect(error, ReservationExpired)
            elif self.model.on_hand.get(held.pair, 0) < take:
                # a count or a write-off left fewer units on the shelf than are held: they cannot be sold
                self.expect(error, InsufficientStock)
            else:
                self.expect(error, None)
                self.model.move(held.pair, -take, clock.now())
                if take == held.quantity:
                    self.model.close(rid)
                else:
                    held.quantity -= take

        def held_pair(self, pair: Pair, pick: int | None) -> Pair:
            """Often where something is reserved: counts and write-offs there are the ones that can strand a reservation."""
            held = sorted(h.pair for h in self.model.active.values())
            return held[pick % len(held)] if held and pick is not None else pair

        @rule(pair=pairs, pick=st.one_of(st.none(), picks), counted=st.integers(0, 40),
              minutes_ago=st.one_of(st.none(), st.sampled_from([0, 20, 90, 600])))
        def count(self, pair: Pair, pick: int | None, counted: int, minutes_ago: int | None) -> None:
            pair = self.held_pair(pair, pick)
            v, loc = pair
            counted_at = None if minutes_ago is None else clock.now() - timedelta(minutes=minutes_ago)
            difference: list[int] = []
            error = self.run(lambda uow: difference.append(inventory.count(
                uow, CountIn(location=LOCATIONS[loc], sku=self.sku(v), counted=counted, counted_at=counted_at), actor="test")))
            self.expect(error, None)
            since = sum(q for p, q, at in self.model.moves if p == pair and at > (counted_at or clock.now()))
            expected = max(0, counted + since) - self.model.on_hand.get(pair, 0)
            assert difference == [expected]
            if expected:
                self.model.move(pair, expected, clock.now())

        @rule(pair=pairs, pick=st.one_of(st.none(), picks), quantity=quantities)
        def write_off(self, pair: Pair, pick: int | None, quantity: int) -> None:
            pair = self.held_pair(pair, pick)
            v, loc = pair
            error = self.run(lambda uow: inventory.write_off(uow, WriteOffIn(location=LOCATIONS[loc], reason="damaged", lines=[
                StockLineIn(sku=self.sku(v), quantity=quantity)]), actor="test"))
            if self.model.on_hand.get(pair, 0) < quantity:
                self.expect(error, InsufficientStock)
                return
            self.expect(error, None)
            self.model.move(pair, -quantity, clock.now())

        @rule(pair=pairs, safety=st.integers(0, 5))
        def set_safety_stock(self, pair: Pair, safety: int) -> None:
            v, loc = pair
            error = self.run(lambda uow: inventory.set_stock_settings(uow, StockSettingsIn(location=LOCATIONS[loc], sku=self.sku(v),
                                                                                           safety_stock=safety)))
            self.expect(error, None)
            self.model.safety[pair] = safety

        @rule(source=st.integers(0, 2), step=st.integers(1, 2),
              lines=st.dictionaries(st.integers(0, 1), st.integers(1, 10), min_size=1, max_size=2),
              then=st.sampled_from(["wait", "ship", "ship and receive"]), amounts=st.lists(st.integers(0, 11), min_size=2, max_size=2))
        def create_transfer(self, source: int, step: int, lines: dict[int, int], then: str, amounts: list[int]) -> None:
            """Create a transfer; then, as often as not, ship it at once and receive part of it (separate commands)."""
            target = (source + step) % 3
            created: list[Any] = []
            body = TransferIn(from_location=LOCATIONS[source], to_location=LOCATIONS[target],
                              lines=[StockLineIn(sku=self.sku(v), quantity=q) for v, q in lines.items()])
            error = self.run(lambda uow: created.append(inventory.create_transfer(uow, body, actor="test")))
            wanted = [((v, source), q) for v, q in lines.items()]
            trial = Model(on_hand=dict(self.model.on_hand), safety=dict(self.model.safety), active=dict(self.model.active))
            trial.expire_at({p for p, _ in wanted}, clock.now())
            if not trial.can_reserve(wanted):
                self.expect(error, InsufficientStock)
                return
            self.expect(error, None)
            self.model.expire_at({p for p, _ in wanted}, clock.now())
            transfer = created[0]
            assert transfer.status == "requested"
            with tvers.uow(read_only=True) as uow:
                held = uow.session.execute(select(Reservation.id, Reservation.variant_id, Reservation.location_id, Reservation.quantity)
                                           .where(Reservation.reference_type == "transfer", Reservation.reference_id == transfer.id)).all()
            assert sorted((pair_of[(r.variant_id, r.location_id)], r.quantity) for r in held) == sorted(wanted)
            for r in held:
                self.model.active[r.id] = Held(pair_of[(r.variant_id, r.location_id)], r.quantity, clock.now() + TRANSFER_HOLD, True)
            self.model.transfers[transfer.id] = ModelTransfer(source, target, dict(lines), [r.id for r in held])
            if then != "wait":
                self.ship(transfer.id)
            if then == "ship and receive":
                self.receive_part(transfer.id, amounts)

        def transfers_in(self, *statuses: str) -> list[str]:
            return sorted(tid for tid, t in self.model.transfers.items() if t.status in statuses)

        @precondition(lambda self: bool(self.transfers_in("requested")))
        @rule(pick=picks)
        def ship_transfer(self, pick: int) -> None:
            choices = self.transfers_in("requested")
            self.ship(choices[pick % len(choices)])

        def ship(self, tid: str) -> None:
            transfer = self.model.transfers[tid]
            error = self.run(lambda uow: inventory.ship_transfer(uow, tid, actor="test"))
            if any(self.model.on_hand.get((v, transfer.source), 0) < q for v, q in transfer.lines.items()):
                # the source lost the units it held for the transfer (count, write-off): it cannot ship them
                self.expect(error, InsufficientStock)
                return
            self.expect(error, None)
            for rid in transfer.reservations:
                self.model.close(rid)
            for v, q in transfer.lines.items():
                self.model.move((v, transfer.source), -q, clock.now())
            transfer.status = "in_transit"

        @precondition(lambda self: bool(self.transfers_in("in_transit", "partially_received")))
        @rule(pick=picks, amounts=st.lists(st.integers(0, 11), min_size=2, max_size=2))
        def receive_transfer(self, pick: int, amounts: list[int]) -> None:
            choices = self.transfers_in("in_transit", "partially_received")
            self.receive_part(choices[pick % len(choices)], amounts)

        def receive_part(self, tid: str, amounts: list[int]) -> None:
            """Receive amounts[v] of each variant v on the transfer (at least one unit); sometimes more than is in transit."""
            transfer = self.model.transfers[tid]
            if transfer.status not in ("in_transit", "partially_received"):
                return
            lines = {v: amounts[v] for v in sorted(transfer.lines) if amounts[v] > 0} or {min(transfer.lines): 1}
            body = TransferReceiveIn(lines=[StockLineIn(sku=self.sku(v), quantity=q) for v, q in lines.items()])
            result: list[Any] = []
            error = self.run(lambda uow: result.append(inventory.receive_transfer(uow, tid, body, actor="test")))
            if any(q > transfer.lines[v] - transfer.received.get(v, 0) for v, q in lines.items()):
                self.expect(error, OverReceipt)
                return
            self.expect(error, None)
            for v, q in lines.items():
                transfer.received[v] = transfer.received.get(v, 0) + q
                self.model.move((v, transfer.target), q, clock.now())
            done = all(transfer.received.get(v, 0) == q for v, q in transfer.lines.items())
            transfer.status = "received" if done else "partially_received"
            assert result[0].status == transfer.status
            assert {ln.sku: ln.in_transit for ln in result[0].lines} == {
                self.sku(v): q - transfer.received.get(v, 0) for v, q in transfer.lines.items()}

        @rule(minutes=st.sampled_from([1, 10, 45, 200]))
        def expire(self, minutes: int) -> None:
            clock.advance(minutes=minutes)
            expired: list[int] = []
            error = self.run(lambda uow: expired.append(inventory.release_expired(uow)))
            self.expect(error, None)
            due = [rid for rid, held in self.model.active.items() if held.expires_at <= clock.now()]
            assert expired == [len(due)]
            for rid in due:
                self.model.close(rid)

        # invariants

        @invariant()
        def doctor_finds_nothing(self) -> None:
            assert doctor_findings(tvers) == []

        @invariant()
        def database_equals_the_model(self) -> None:
            stored = levels(tvers)
            assert all(on_hand >= 0 and reserved >= 0 for on_hand, reserved in stored.values()), stored
            shown = {pair_of[key]: value for key, value in stored.items() if value != (0, 0)}
            expected = {pair: (self.model.on_hand.get(pair, 0), self.model.reserved(pair)) for v in range(2) for loc in range(3)
                        if (pair := (v, loc)) and (self.model.on_hand.get(pair, 0), self.model.reserved(pair)) != (0, 0)}
            assert shown == expected
            with tvers.uow(read_only=True) as uow:
                active = dict(uow.session.execute(select(Reservation.id, Reservation.quantity).where(Reservation.status == "active")).all())
            assert active == {rid: held.quantity for rid, held in self.model.active.items()}

    return LedgerMachine


def test_ledger_invariants_hold_under_random_operations(tvers, clock):
    # given two variants at three locations, all in one channel's pool (so availability events are computed too)
    setup = make_stock_setup(tvers, variants=2, places=[Place(code) for code in LOCATIONS], prefix="led")
    # when random operations run, then after every step the ledger, the levels and the model agree
    run_state_machine_as_test(ledger_machine(tvers, clock, setup), settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None, phases=NO_SHRINKING, suppress_health_check=[HealthCheck.too_slow]))
