"""The outbox relay: sequences committed events and hands them, in order, to subscribers.

Delivery is at least once; each subscriber's handler runs in the transaction that
records the event as handled, so a repeat is skipped. A failing subscriber is retried
with backoff and holds back only its own later events, to keep its order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from tvers.db import outbox
from tvers.db.session import Database
from tvers.db.uow import Uow
from tvers.integrations.models import HandledEvent, RelayCursor
from tvers.kernel.clock import Clock
from tvers.kernel.events import PublishedEvent, Subscriber

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)
SKIP_PAGE = 500  # events looked at (position and type only) to find a subscriber's next one
SEQUENCE_BATCH = 5000  # events given positions per pass


@dataclass(frozen=True)
class RelayPass:
    sequenced: int
    delivered: int
    failed: int


class Relay:
    def __init__(self, db: Database, clock: Clock, subscribers: Sequence[Subscriber], *, batch: int = 200) -> None:
        self._db, self._clock, self._batch = db, clock, batch
        self._subscribers = tuple(subscribers)
        self._wake = threading.Event()

    def wake(self) -> None:
        """Called after a commit with events, so delivery need not wait for the next poll."""
        self._wake.set()

    def run_once(self) -> RelayPass:
        sequenced = self._sequence()
        delivered = failed = 0
        for subscriber in self._subscribers:
            done, ok = self._deliver(subscriber)
            delivered += done
            failed += 0 if ok else 1
        return RelayPass(sequenced=sequenced, delivered=delivered, failed=failed)

    def run_forever(self, stop: threading.Event, *, poll_seconds: float) -> None:
        while not stop.is_set():
            try:
                result = self.run_once()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("relay pass failed")
                result = RelayPass(0, 0, 1)
            if result.sequenced == 0 and result.delivered == 0:
                self._wake.wait(poll_seconds)
                self._wake.clear()

    def _uow(self) -> Uow:
        return Uow(self._db, self._clock)

    def _sequence(self) -> int:
        with self._uow() as uow:
            count = outbox.sequence(uow.session, batch=SEQUENCE_BATCH)
            uow.commit()
        return count

    def _deliver(self, subscriber: Subscriber) -> tuple[int, bool]:
        delivered = 0
        while True:
            passed, ok = self._deliver_next(subscriber)
            delivered += passed
            if not ok:
                return delivered, False
            if passed == 0:
                return delivered, True

    def _deliver_next(self, subscriber: Subscriber) -> tuple[int, bool]:
        """Deliver the next event the subscriber wants, moving past those it does not in the same transaction.

        Returns how many events the cursor moved past (0 if idle or failed) and False on failure. Events a
        subscriber does not want cost it one small read per `SKIP_PAGE`, not a transaction each.
        """
        with self._uow() as uow:
            cursor = _lock_cursor(uow, subscriber.name)
            if cursor.retry_at is not None and cursor.retry_at > self._clock.now():
                return 0, True
            page = outbox.types_after(uow.session, position=cursor.position, limit=self._batch if subscriber.handle_batch else SKIP_PAGE)
            if not page:
                return 0, True
            if subscriber.handle_batch is not None:
                return self._deliver_page(uow, cursor, subscriber, page)
            wanted = next((i for i, (_position, kind) in enumerate(page) if subscriber.wants(kind)), None)
            if wanted is None:
                position, passed = page[-1][0], len(page)
            else:
                [event] = outbox.read_after(uow.session, position=page[wanted][0] - 1, limit=1)
                try:
                    self._handle(uow, subscriber, event)
                except Exception as error:  # a subscriber's bug must not stop the others
                    uow.rollback()
                    self._record_failure(subscriber.name, event, error)
                    return 0, False
                position, passed = event.position, wanted + 1
            cursor.position, cursor.attempts, cursor.last_error, cursor.retry_at = position, 0, None, None
            uow.commit()
            return passed, True

    def _deliver_page(self, uow: Uow, cursor: RelayCursor, subscriber: Subscriber, page: list[tuple[int, str]]) -> tuple[int, bool]:
        """A batch subscriber gets the page's wanted events not yet handled, in order, in this one transaction."""
        assert subscriber.handle_batch is not None
        events = outbox.read_positions(uow.session, [position for position, kind in page if subscriber.wants(kind)])
        if events:
            seen = set(
                uow.session.scalars(
                    select(HandledEvent.event_id).where(
                        HandledEvent.subscriber == subscriber.name, HandledEvent.event_id.in_([e.event_id for e in events])
                    )
                )
            )
            fresh = [e for e in events if e.event_id not in seen]
            try:
                if fresh:
                    subscriber.handle_batch(uow, fresh)
            except Exception as error:  # a subscriber's bug must not stop the others
                uow.rollback()
                self._record_failure(subscriber.name, fresh[0], error)
                return 0, False
            now = self._clock.now()
            uow.session.add_all(HandledEvent(subscriber=subscriber.name, event_id=e.event_id, handled_at=now) for e in fresh)
            uow.session.flush()
        cursor.position, cursor.attempts, cursor.last_error, cursor.retry_at = page[-1][0], 0, None, None
        uow.commit()
        return len(page), True

    def _handle(self, uow: Uow, subscriber: Subscriber, event: PublishedEvent) -> None:
        if not subscriber.wants(event.type):
            return
        seen = uow.session.get(HandledEvent, (subscriber.name, event.event_id))
        if seen is not None:
            return
        subscriber.handle(uow, event)
        uow.session.add(HandledEvent(subscriber=subscriber.name, event_id=event.event_id, handled_at=self._clock.now()))
        uow.session.flush()

    def _record_failure(self, name: str, event: PublishedEvent, error: Exception) -> None:
        log.warning("subscriber %s failed on %s (%s): %s", name, event.event_id, event.type, error)
        with self._uow() as uow:
            cursor = _lock_cursor(uow, name)
            cursor.attempts += 1
            cursor.last_error = f"{event.event_id}: {type(error).__name__}: {error}"[:2000]
            cursor.retry_at = self._clock.now() + backoff(cursor.attempts)
            uow.commit()


def backoff(attempts: int) -> timedelta:
    """Exponential: 1 s, 2 s, 4 s … capped at five minutes."""
    return min(timedelta(seconds=2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _lock_cursor(uow: Uow, name: str) -> RelayCursor:
    cursor = uow.session.execute(select(RelayCursor).where(RelayCursor.subscriber == name).with_for_update()).scalar_one_or_none()
    if cursor is None:
        cursor = RelayCursor(subscriber=name, position=0, attempts=0)
        uow.session.add(cursor)
        uow.session.flush()
    return cursor
