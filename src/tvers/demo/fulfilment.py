"""The demo's fulfilment history: every confirmed order that is not a carry-out sale worked through the real fulfilment
workflows (docs/fulfilment.md), step by step at believable times, in time order with the rest of the quarter.

Staff accept, pick, pack, ship or hand over within their opening hours; carriers deliver a day or three later; a few
tasks are rejected or never accepted and are re-sourced, a few pickups are never collected; the last days' orders are
left part-way, so the store queues have work when the demo opens.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from tvers.bootstrap import Tvers
from tvers.demo.stores import STORE_HOURS, STORES, WAREHOUSE_HOURS, WAREHOUSES
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.hours import opens_at
from tvers.fulfillment.schemas import HandOverIn, LineQuantityIn, PackageIn, RejectIn, RejectLineIn, RejectReason, ShipIn, TaskOut
from tvers.fulfillment.task_states import OPEN, WAITING_FOR_CUSTOMER, TaskStatus
from tvers.kernel.clock import FixedClock
from tvers.kernel.errors import TversError
from tvers.workflows import fulfilment, resourcing

S = TaskStatus
PLACES = {place.code: place for place in WAREHOUSES + STORES}
CARRIERS = {"NO": "posten", "SE": "postnord", "DK": "gls"}  # by the country the parcel leaves from
TRACKING = {"posten": ("3707", "https://sporing.posten.no/sporing/{}"), "postnord": ("00", "https://tracking.postnord.com/?id={}"),
            "gls": ("", "https://gls-group.com/track/{}")}
REJECT_SHARE = 0.03  # of tasks: a line not found or damaged while picking, sourced elsewhere
TIMEOUT_SHARE = 0.02  # of ship tasks: nobody accepts in time, the worker sources them elsewhere
UNCOLLECTED_SHARE = 0.04  # of pickups: the customer never comes
SPLIT_SHARE = 0.08  # of ship tasks with several lines: sent as two parcels
RECENT = timedelta(days=3)  # orders this recent are mostly left part-way
LEFT_SHARE = 0.75
SPOTS = ("bay 1", "bay 2", "bay 3", "bay 4, red Tesla", "bay 2, grey Volvo", "bay 1, white Toyota", "at the door, blue Golf")
PICKUP_KINDS = frozenset({"pickup", "curbside"})


@dataclass(frozen=True)
class DemoFulfilment:
    shipped: int  # parcels
    from_stores: int
    delivered: int
    picked_up: int
    curbside: int
    rejected: int
    resourced: int  # rejections whose units another location took on
    timed_out: int
    expired: int
    in_progress: dict[str, int]  # open tasks by status
    failed: int  # steps the shop refused (logged)

    def describe(self) -> str:
        waiting = " (" + ", ".join(f"{n} {status}" for status, n in sorted(self.in_progress.items())) + ")" if self.in_progress else ""
        return (f"{self.shipped} parcels shipped ({self.from_stores} from stores, {self.delivered} delivered), {self.picked_up} picked up, "
                f"{self.curbside} curbside, {self.rejected} rejected → {self.resourced} re-sourced, {self.timed_out} timed out, "
                f"{self.expired} pickups expired, {sum(self.in_progress.values())} tasks in progress{waiting}")


@dataclass
class _Walk:
    """One task as the demo's staff see it: what will happen to it, and where they stop for a recent order."""

    task_id: str
    order_id: str
    kind: str
    code: str
    placed_at: datetime
    fate: str = "normal"  # normal | reject | timeout | uncollected
    hold: str | None = None  # the status it is left in
    destination: str | None = None  # a transfer's pickup store
    task: TaskOut | None = None  # as the last step left it; read again when others may have changed it
    rejected: bool = False
    split: bool = False
    waits: int = 0


class FulfilmentHistory:
    """Steps on tasks, kept in time order; `run_until` does those due before an instant, with the clock at each step's time."""

    def __init__(self, app: Tvers, *, clock: FixedClock, seed: int, end: datetime, log: Callable[[str], None]) -> None:
        self._app, self._clock, self._end, self._log = app, clock, end, log
        self._rng = random.Random(seed * 7919 + 13)
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._count = 0
        self._walks: dict[str, _Walk] = {}
        self._tally: Counter[str] = Counter()

    def order_placed(self, order_id: str, *, placed_at: datetime) -> None:
        """Its tasks now (no relay runs during the build), and their first steps."""
        fulfilment.start_tasks_now(self._app, order_id)
        self._adopt(order_id, placed_at)

    def run_until(self, at: datetime) -> None:
        while self._queue and self._queue[0][0] < at:
            when, _number, step = heapq.heappop(self._queue)
            self._clock.set(when)
            try:
                step()
            except TversError as error:  # the shop refused a step: say so once, and go on
                self._tally["failed"] += 1
                if self._tally["failed"] == 1:
                    self._log(f"fulfilment: a step at {when:%Y-%m-%d %H:%M} was refused: {error.code}: {error.message}")

    def finish(self) -> DemoFulfilment:
        self.run_until(self._end)
        with self._app.uow(read_only=True) as uow:
            statuses = Counter(fulfillment.get_task(uow, task_id).status for task_id in self._walks)
        t = self._tally
        return DemoFulfilment(
            shipped=t["shipped"], from_stores=t["from_stores"], delivered=t["delivered"], picked_up=t["picked_up"], curbside=t["curbside"],
            rejected=t["rejected"], resourced=t["resourced"], timed_out=t["timed_out"], expired=t["expired"], failed=t["failed"],
            in_progress={str(s): n for s, n in statuses.items() if s in OPEN or s in WAITING_FOR_CUSTOMER})

    # --- scheduling ---------------------------------------------------------------------------------------------------

    def _schedule(self, at: datetime, step: Callable[[], None]) -> None:
        self._count += 1
        heapq.heappush(self._queue, (max(at, self._clock.now()), self._count, step))

    def _later(self, code: str | None, low: float, high: float) -> datetime:
        """`low`–`high` minutes from now, moved into the location's opening hours."""
        at = self._clock.now() + timedelta(minutes=self._rng.uniform(low, high))
        place = PLACES.get(code or "")
        if place is None:
            return at
        return opens_at(STORE_HOURS if place.type == "store" else WAREHOUSE_HOURS, place.time_zone, at) or at

    def _adopt(self, order_id: str, placed_at: datetime) -> int:
        """Walks for the order's tasks not yet known (new ones after re-sourcing too), in a fixed order; returns how many."""
        with self._app.uow(read_only=True) as uow:
            tasks = fulfillment.tasks_of_order(uow, order_id)
        stores = {t.id: t.location_code for t in tasks}
        fresh = sorted((t for t in tasks if t.id not in self._walks and t.status == S.NEW),
                       key=lambda t: (t.created_at, t.location_code, t.kind))  # not by id: ids are random
        for task in fresh:
            walk = _Walk(task_id=task.id, order_id=order_id, kind=task.kind, code=task.location_code, placed_at=placed_at,
                         destination=stores.get(task.pickup_task_id or ""), task=task)
            self._walks[task.id] = walk
            self._plan(walk, task)
        return len(fresh)

    def _plan(self, walk: _Walk, task: TaskOut) -> None:
        roll = self._rng.random()
        accept_by = task.accept_by or self._clock.now() + timedelta(hours=1)
        if self._end - walk.placed_at < RECENT and self._rng.random() < LEFT_SHARE:
            walk.hold = self._hold(walk, accept_by)
        elif walk.kind == "ship" and roll < TIMEOUT_SHARE:
            walk.fate = "timeout"
            self._schedule(accept_by + timedelta(minutes=self._rng.uniform(1, 20)), partial(self._sweep, walk))
            return
        elif walk.kind != "transfer" and roll < TIMEOUT_SHARE + REJECT_SHARE:
            walk.fate = "reject"
        elif walk.kind in PICKUP_KINDS and roll > 1 - UNCOLLECTED_SHARE:
            walk.fate = "uncollected"
        settings = self._app.settings
        allowed = settings.accept_minutes_store if PLACES[walk.code].type == "store" else settings.accept_minutes_warehouse
        self._schedule(accept_by - timedelta(minutes=allowed * self._rng.uniform(0.1, 0.9)), partial(self._advance, walk))

    def _hold(self, walk: _Walk, accept_by: datetime) -> str | None:
        """Where the staff have got to with a recent order: yesterday's just started (not yet accepted only while there is
        still time to), the days before's packed or waiting for the customer; warehouses keep up."""
        if self._end - walk.placed_at < timedelta(days=1):
            choices = [S.ACCEPTED, S.PICKING, *([S.NEW, S.NEW] if accept_by > self._end else [])]
        elif walk.kind in PICKUP_KINDS:
            choices = [S.PACKED, S.READY_FOR_PICKUP, S.READY_FOR_PICKUP]
        elif PLACES[walk.code].type == "store":
            choices = [S.PACKED if walk.kind == "ship" else S.SHIPPED]
        else:
            return None
        return self._rng.choice(choices).value

    # --- steps ---------------------------------------------------------------------------------------------------------

    def _advance(self, walk: _Walk) -> None:
        task = walk.task
        if task is None or (task.kind in PICKUP_KINDS and task.status == S.PACKED):  # transfers change what a pickup awaits
            with self._app.uow(read_only=True) as uow:
                task = walk.task = fulfillment.get_task(uow, walk.task_id)
        if task.status == walk.hold:
            return
        step = {S.NEW: self._accept, S.ACCEPTED: self._pick, S.PICKING: self._pack, S.PACKED: self._packed, S.SHIPPED: self._arrived,
                S.READY_FOR_PICKUP: self._collect, S.CUSTOMER_ARRIVED: self._hand_over}.get(S(task.status))
        if step is not None:
            step(walk, task)

    def _staff(self, walk: _Walk) -> str:
        return f"staff:{walk.code}"

    def _move(self, walk: _Walk, target: TaskStatus, low: float, high: float) -> None:
        walk.task = fulfilment.advance_task(self._app, walk.task_id, target, actor=self._staff(walk))
        self._schedule(self._later(walk.code, low, high), partial(self._advance, walk))

    def _accept(self, walk: _Walk, task: TaskOut) -> None:
        self._move(walk, S.ACCEPTED, 5, 45)

    def _pick(self, walk: _Walk, task: TaskOut) -> None:
        self._move(walk, S.PICKING, 5, 30)

    def _pack(self, walk: _Walk, task: TaskOut) -> None:
        if walk.fate == "reject" and not walk.rejected:
            self._reject(walk, task)
            return
        after = {"ship": (30, 180), "transfer": (60, 240)}.get(walk.kind, (5, 20))
        self._move(walk, S.PACKED, *after)

    def _reject(self, walk: _Walk, task: TaskOut) -> None:
        """A line not on the shelf (or damaged): the shop corrects its stock and sources the units elsewhere."""
        walk.rejected = True
        line = next((ln for ln in task.lines if ln.open - ln.awaiting > 0), None)
        if line is not None:
            reason = RejectReason.NOT_FOUND if self._rng.random() < 0.65 else RejectReason.DAMAGED
            walk.task = resourcing.reject(self._app, walk.task_id, RejectIn(lines=[RejectLineIn(
                line_id=line.order_line_id, quantity=line.open - line.awaiting, reason=reason)]), actor=self._staff(walk))
            self._tally["rejected"] += 1
            self._tally["resourced"] += self._adopt(walk.order_id, walk.placed_at) > 0
        self._schedule(self._later(walk.code, 5, 20), partial(self._advance, walk))  # the rest of the task, if any

    def _packed(self, walk: _Walk, task: TaskOut) -> None:
        if walk.kind == "ship":
            self._ship(walk, task)
        elif walk.kind == "transfer":
            walk.task = fulfilment.send_transfer(self._app, walk.task_id, actor=self._staff(walk))
            self._schedule(self._later(walk.destination, 20 * 60, 30 * 60), partial(self._advance, walk))
        elif sum(ln.awaiting for ln in task.lines) > 0:  # goods still coming by transfer: look again later
            walk.waits += 1
            if walk.waits <= 12:
                self._schedule(self._later(walk.code, 240, 480), partial(self._advance, walk))
        else:
            self._ready(walk)

    def _ready(self, walk: _Walk) -> None:
        walk.task = fulfilment.advance_task(self._app, walk.task_id, S.READY_FOR_PICKUP, actor=self._staff(walk))
        if walk.fate == "uncollected":
            expiry = timedelta(days=self._app.settings.pickup_expiry_days, hours=self._rng.uniform(2, 20))
            self._schedule(self._clock.now() + expiry, self._expire)
            return
        hours = (1, 30) if walk.kind == "curbside" else (1, 72)
        self._schedule(self._later(walk.code, hours[0] * 60, hours[1] * 60), partial(self._advance, walk))

    def _ship(self, walk: _Walk, task: TaskOut) -> None:
        """A parcel with the carrier of the country it leaves from; now and then a task goes as two parcels a day apart."""
        open_lines = [ln for ln in task.lines if ln.open > 0]
        lines = None
        if not walk.split and len(open_lines) > 1 and self._rng.random() < SPLIT_SHARE:
            walk.split = True
            lines = [LineQuantityIn(line_id=open_lines[0].order_line_id, quantity=open_lines[0].open)]
        carrier = CARRIERS[PLACES[walk.code].country]
        prefix, url = TRACKING[carrier]
        number = f"{prefix}{self._rng.randrange(10**11, 10**12)}"
        shipment = fulfilment.ship(self._app, walk.task_id, ShipIn(
            carrier=carrier, tracking_number=number, tracking_url=url.format(number),
            packages=[PackageIn(weight_grams=self._rng.randrange(200, 4000, 50))], lines=lines), actor=self._staff(walk))
        walk.task = None
        self._tally["shipped"] += 1
        self._tally["from_stores"] += PLACES[walk.code].type == "store"
        self._schedule(self._clock.now() + timedelta(hours=self._rng.uniform(18, 72)), partial(self._deliver, shipment.id, carrier))
        if lines is not None:  # the rest follows
            self._schedule(self._later(walk.code, 20 * 60, 28 * 60), partial(self._advance, walk))

    def _deliver(self, shipment_id: str, carrier: str) -> None:
        fulfilment.deliver(self._app, shipment_id, actor=f"carrier:{carrier}")
        self._tally["delivered"] += 1

    def _arrived(self, walk: _Walk, task: TaskOut) -> None:
        """A transfer reached the pickup store (parcels are delivered on their own schedule)."""
        if walk.kind == "transfer":
            walk.task = fulfilment.receive_transfer(self._app, walk.task_id, actor=f"staff:{walk.destination}")

    def _collect(self, walk: _Walk, task: TaskOut) -> None:
        if walk.kind == "curbside" and not task.arrival:
            walk.task = fulfilment.customer_arrived(self._app, walk.task_id, spot=self._rng.choice(SPOTS), actor="customer")
            self._schedule(self._clock.now() + timedelta(minutes=self._rng.uniform(2, 10)), partial(self._advance, walk))
            return
        self._hand_over(walk, task)

    def _hand_over(self, walk: _Walk, task: TaskOut) -> None:
        with self._app.uow(read_only=True) as uow:
            code = fulfillment.pickup_code(uow, walk.task_id)
        walk.task = fulfilment.hand_over(self._app, walk.task_id, HandOverIn(code=code), actor=self._staff(walk))
        self._tally["curbside" if walk.kind == "curbside" else "picked_up"] += 1

    def _sweep(self, walk: _Walk) -> None:
        """The worker's pass after the task's deadline: it is reassigned and its units sourced elsewhere."""
        self._tally["timed_out"] += resourcing.sweep_overdue_tasks(self._app)
        self._adopt(walk.order_id, walk.placed_at)

    def _expire(self) -> None:
        self._tally["expired"] += resourcing.expire_uncollected(self._app)

