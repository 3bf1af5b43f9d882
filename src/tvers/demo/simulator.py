"""Live traffic for the served demo: every few seconds an order on some channel through the real checkout, a few open
tasks moved one step by their store's staff, a parcel delivered; so the store queues and their live streams keep moving.

Only units of work and the workflows, at the app's own clock. A step the shop refuses is logged and skipped; nothing a
tick does can stop the thread, and `stop()` ends it between ticks.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tvers.bootstrap import Tvers
from tvers.demo.catalog_data import build_catalog
from tvers.demo.fulfilment import CARRIERS, SPOTS, TRACKING
from tvers.demo.order_checkout import DemoCheckout, load_shelves
from tvers.demo.order_plan import OrderChooser, SalesChannel, sales_channels
from tvers.demo.order_tenders import Wallet
from tvers.demo.stock import HISTORY_DAYS, product_popularity
from tvers.demo.stores import STORE_HOURS, STORES
from tvers.fulfillment import service as fulfillment
from tvers.fulfillment.hours import opens_at
from tvers.fulfillment.schemas import HandOverIn, RejectIn, RejectLineIn, RejectReason, ShipIn, TaskOut
from tvers.fulfillment.task_states import TaskStatus
from tvers.inventory import service as inventory
from tvers.kernel.errors import TversError
from tvers.workflows import fulfilment, resourcing

log = logging.getLogger(__name__)
S = TaskStatus
T = TypeVar("T")
STAFF_MOVES = (S.NEW, S.ACCEPTED, S.PICKING, S.PACKED, S.READY_FOR_PICKUP, S.CUSTOMER_ARRIVED)
REJECT_SHARE = 0.03  # of picks: a line is not on the shelf
COME_SHARE = 0.5  # of looks at a ready pickup: the customer is there


@dataclass(frozen=True)
class Tick:
    """What one tick did: the order placed (its number), the task steps taken, the parcels delivered."""

    placed: str | None
    moved: tuple[str, ...]  # "bergen-torget WEB-NO-000123 ship: new → accepted"
    delivered: int


class Simulator:
    """`seed` and `products` are the demo's: its catalog is rebuilt from them to know what the channels sell."""

    def __init__(self, app: Tvers, *, seed: int = 42, products: int = 240, every_seconds: float = 5.0, moves: int = 3) -> None:
        self._app, self._seed, self._products, self._every, self._moves = app, seed, products, every_seconds, moves
        self._rng = random.Random(seed)
        self._chooser = OrderChooser(self._rng, [], credit=set())
        self._checkout: DemoCheckout | None = None
        self._locations: list[tuple[str, str, str]] = []  # (id, code, country)
        self._run = f"sim-{secrets.token_hex(3)}"
        self._count = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="demo-simulator", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.tick()
            except Exception:  # the simulator must never take the server down
                log.exception("demo simulator: tick failed")

    def tick(self) -> Tick:
        placed = self._guarded("placing an order", self._place_order)
        moved = [m for _ in range(self._moves) if (m := self._guarded("moving a task", self._move_task))]
        delivered = self._guarded("delivering a parcel", self._deliver) or 0
        return Tick(placed=placed, moved=tuple(moved), delivered=delivered)

    def _guarded(self, what: str, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except TversError as error:  # the shop refused: as it would refuse a real client
            log.warning("demo simulator: %s was refused: %s: %s", what, error.code, error.message)
        except Exception:
            log.exception("demo simulator: %s failed", what)
        return None

    # --- orders --------------------------------------------------------------------------------------------------------

    def _place_order(self) -> str | None:
        checkout = self._checkout or self._open()
        now = self._app.clock.now()
        channels = [c for c in sales_channels() if c.store is None or self._is_open(c.store)]
        channel: SalesChannel = self._rng.choices(channels, weights=[c.weight for c in channels])[0]
        self._count += 1
        order = self._chooser.order(f"{self._run}-{self._count:06d}", now, channel, day=HISTORY_DAYS)
        placed = checkout.place(order, number=self._rng.randrange(10**6, 10**9), lines=[])  # a guest's card of their own
        return placed.number if placed is not None else None

    def _open(self) -> DemoCheckout:
        """What each channel sells: the demo's catalog rebuilt from its seed (pure), as the database has it."""
        data = build_catalog(self._seed, product_count=self._products)
        shelves = load_shelves(self._app, [c.code for c in sales_channels()], data, product_popularity(data, seed=self._seed))
        if not any(shelf.variants for shelf in shelves.values()):
            log.warning("demo simulator: nothing of the demo catalog (seed %s, %s products) is on sale here: no orders", self._seed,
                        self._products)
        self._checkout = DemoCheckout(self._app, shoppers=[], wallet=Wallet(), shelves=shelves, rng=self._rng)
        return self._checkout

    def _is_open(self, store_code: str) -> bool:
        store = next(s for s in STORES if s.code == store_code)
        now = self._app.clock.now()
        return opens_at(STORE_HOURS, store.time_zone, now) == now

    # --- tasks ---------------------------------------------------------------------------------------------------------

    def _places(self) -> list[tuple[str, str, str]]:
        if not self._locations:
            with self._app.uow(read_only=True) as uow:
                self._locations = [(loc.id, loc.code, loc.country) for loc in inventory.list_locations(uow)]
        return self._locations

    def _among_oldest(self, statuses: tuple[TaskStatus, ...]) -> tuple[TaskOut, str] | None:
        """One of the oldest tasks in these statuses at the first location, in random order, that has any; with its country."""
        places = self._places()
        for location_id, _code, country in self._rng.sample(places, len(places)):
            with self._app.uow(read_only=True) as uow:
                tasks = fulfillment.list_tasks(uow, location_id=location_id, statuses=[s.value for s in statuses], limit=3)
            if tasks:
                return self._rng.choice(tasks), country
        return None

    def _move_task(self) -> str | None:
        found = self._among_oldest(STAFF_MOVES)
        if found is None:
            return None
        task, country = found
        after = self._step(task, country, actor=f"staff:{task.location_code}")
        return f"{task.location_code} {task.order_number} {task.kind}: {task.status} → {after}" if after else None

    def _step(self, task: TaskOut, country: str, *, actor: str) -> str | None:
        status, app = S(task.status), self._app
        if status in (S.NEW, S.ACCEPTED):
            return fulfilment.advance_task(app, task.id, S.ACCEPTED if status is S.NEW else S.PICKING, actor=actor).status
        if status is S.PICKING:
            if self._rng.random() < REJECT_SHARE and task.kind != "transfer":
                return self._reject(task, actor=actor)
            return fulfilment.advance_task(app, task.id, S.PACKED, actor=actor).status
        if status is S.PACKED:
            return self._packed(task, country, actor=actor)
        if status is S.READY_FOR_PICKUP and self._rng.random() >= COME_SHARE:
            return None  # the customer has not come yet
        if task.kind == "curbside" and not task.arrival:
            return fulfilment.customer_arrived(app, task.id, spot=self._rng.choice(SPOTS), actor="customer").status
        with app.uow(read_only=True) as uow:
            code = fulfillment.pickup_code(uow, task.id)
        return fulfilment.hand_over(app, task.id, HandOverIn(code=code), actor=actor).status

    def _packed(self, task: TaskOut, country: str, *, actor: str) -> str | None:
        if task.kind == "ship":
            carrier = CARRIERS.get(country, "postnord")
            prefix, url = TRACKING[carrier]
            number = f"{prefix}{self._rng.randrange(10**11, 10**12)}"
            fulfilment.ship(self._app, task.id, ShipIn(carrier=carrier, tracking_number=number, tracking_url=url.format(number)),
                            actor=actor)
            return S.SHIPPED.value
        if task.kind == "transfer":
            return fulfilment.send_transfer(self._app, task.id, actor=actor).status
        if any(line.awaiting for line in task.lines):
            return None  # goods still on their way by transfer
        return fulfilment.advance_task(self._app, task.id, S.READY_FOR_PICKUP, actor=actor).status

    def _reject(self, task: TaskOut, *, actor: str) -> str | None:
        line = next((ln for ln in task.lines if ln.open - ln.awaiting > 0), None)
        if line is None:
            return None
        reason = self._rng.choice([RejectReason.NOT_FOUND, RejectReason.DAMAGED])
        done = resourcing.reject(self._app, task.id, RejectIn(lines=[RejectLineIn(
            line_id=line.order_line_id, quantity=line.open - line.awaiting, reason=reason)]), actor=actor)
        return f"{done.status} (a line {reason.value})"

    # --- parcels -------------------------------------------------------------------------------------------------------

    def _deliver(self) -> int:
        """The carrier delivers what one of the oldest shipped tasks at a location picked at random sent: its parcels, or the
        goods of a transfer, which the pickup store receives."""
        found = self._among_oldest((S.SHIPPED,))
        if found is None:
            return 0
        task, country = found
        if task.kind == "transfer":
            store = next(code for location_id, code, _ in self._places() if location_id == task.destination_location_id)
            fulfilment.receive_transfer(self._app, task.id, actor=f"staff:{store}")
            return 1
        with self._app.uow(read_only=True) as uow:
            parcels = [s.id for s in fulfillment.shipments_of_order(uow, task.order_id) if s.task_id == task.id and s.status == "shipped"]
        for shipment_id in parcels:
            fulfilment.deliver(self._app, shipment_id, actor=f"carrier:{CARRIERS.get(country, 'postnord')}")
        return len(parcels)
