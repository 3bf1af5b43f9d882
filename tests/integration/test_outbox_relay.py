"""The unit of work writes events to the outbox in its transaction; the relay hands them on in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from tvers.bootstrap import Tvers
from tvers.db.outbox import OutboxEvent
from tvers.integrations.models import HandledEvent, RelayCursor
from tvers.integrations.relay import Relay
from tvers.kernel.events import DomainEvent, PublishedEvent, Subscriber, SubscriberContext


@dataclass(frozen=True)
class ThingHappened(DomainEvent):
    type: ClassVar[str] = "thing.happened"
    number: int


def record_things(tvers: Tvers, *numbers: int) -> None:
    with tvers.uow() as uow:
        for n in numbers:
            uow.record(ThingHappened(number=n))
        uow.commit()


def outbox_count(tvers: Tvers) -> int:
    with tvers.uow(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxEvent)) or 0


class Recorder:
    """A subscriber that remembers what it saw and can be told to fail."""

    def __init__(self, name: str = "recorder", *, failures: int = 0) -> None:
        self.seen: list[int] = []
        self.failures_left = failures
        self.subscriber = Subscriber(name=name, event_types=frozenset({"thing.happened"}), handle=self.handle)

    def handle(self, _context: SubscriberContext, event: PublishedEvent) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("downstream is down")
        self.seen.append(event.payload["number"])


def test_commit_writes_events_to_the_outbox(tvers):
    record_things(tvers, 1, 2)
    assert outbox_count(tvers) == 2


def test_rolled_back_command_leaves_no_event(tvers):
    # given a command that records an event and then fails
    with pytest.raises(RuntimeError), tvers.uow() as uow:
        uow.record(ThingHappened(number=1))
        uow.session.flush()
        raise RuntimeError("the command failed")
    # then nothing reached the outbox
    assert outbox_count(tvers) == 0


def test_leaving_without_commit_discards_events(tvers):
    with tvers.uow() as uow:
        uow.record(ThingHappened(number=1))
    assert outbox_count(tvers) == 0


def test_relay_delivers_in_order(tvers):
    recorder = Recorder()
    relay = Relay(tvers.db, tvers.clock, [recorder.subscriber])
    record_things(tvers, 1, 2)
    record_things(tvers, 3)
    result = relay.run_once()
    assert recorder.seen == [1, 2, 3]
    assert (result.sequenced, result.delivered, result.failed) == (3, 3, 0)
    assert relay.run_once().delivered == 0  # nothing twice


@dataclass(frozen=True)
class OtherThing(DomainEvent):
    type: ClassVar[str] = "other.thing"
    number: int


def test_events_a_subscriber_does_not_want_are_passed_without_a_transaction_each(tvers):
    # given 120 events the recorder does not want around 2 it does
    recorder = Recorder()
    relay = Relay(tvers.db, tvers.clock, [recorder.subscriber])
    with tvers.uow() as uow:
        for n in range(120):
            uow.record(OtherThing(number=n))
            if n in (10, 90):
                uow.record(ThingHappened(number=n))
        uow.commit()
    commits = []
    from sqlalchemy import event

    def count(_connection):  # type: ignore[no-untyped-def]
        commits.append(1)

    event.listen(tvers.db.engine, "commit", count)
    try:
        result = relay.run_once()
    finally:
        event.remove(tvers.db.engine, "commit", count)
    # then it saw both, the cursor passed all 122, in a handful of transactions (50 events looked at per page)
    assert recorder.seen == [10, 90]
    assert result.delivered == 122
    assert len(commits) <= 6
    assert relay.run_once().delivered == 0


def test_failing_subscriber_is_retried_with_backoff_and_keeps_order(tvers, clock):
    # given a subscriber that fails twice
    recorder = Recorder(failures=2)
    relay = Relay(tvers.db, tvers.clock, [recorder.subscriber])
    record_things(tvers, 1, 2)
    # when the relay runs: the first failure holds back both events
    assert relay.run_once().failed == 1
    assert recorder.seen == []
    # and before the backoff has passed nothing is tried
    assert relay.run_once().failed == 0
    clock.advance(seconds=1)
    assert relay.run_once().failed == 1  # second failure, backoff now 2 s
    clock.advance(seconds=2)
    relay.run_once()
    # then it got everything, once, in order, and its cursor is clean
    assert recorder.seen == [1, 2]
    with tvers.uow(read_only=True) as uow:
        cursor = uow.session.get(RelayCursor, "recorder")
        assert cursor is not None and (cursor.attempts, cursor.last_error) == (0, None)


def test_failing_subscriber_does_not_block_others(tvers):
    broken, healthy = Recorder("broken", failures=5), Recorder("healthy")
    relay = Relay(tvers.db, tvers.clock, [broken.subscriber, healthy.subscriber])
    record_things(tvers, 7)
    relay.run_once()
    assert (broken.seen, healthy.seen) == ([], [7])


def test_repeated_event_is_handled_once(tvers):
    # given an event already delivered
    recorder = Recorder()
    relay = Relay(tvers.db, tvers.clock, [recorder.subscriber])
    record_things(tvers, 1)
    relay.run_once()
    # when it is delivered again (cursor rewound, as after a crash before the cursor moved)
    with tvers.uow() as uow:
        uow.session.get(RelayCursor, "recorder").position = 0  # type: ignore[union-attr]
        uow.commit()
    relay.run_once()
    # then the subscriber handled it once
    assert recorder.seen == [1]
    with tvers.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(HandledEvent)) == 1


def test_late_committing_event_is_not_skipped(tvers):
    """An event staged first but committed after a later one still reaches subscribers."""
    recorder = Recorder()
    relay = Relay(tvers.db, tvers.clock, [recorder.subscriber])
    if tvers.db.dialect == "sqlite":
        pytest.skip("SQLite has one writer at a time: staging order is commit order")
    slow = tvers.uow()
    with slow:
        slow.record(ThingHappened(number=1))
        slow.session.flush()
        from tvers.db import outbox

        outbox.stage(slow.session, slow.pending_events, at=tvers.clock.now())  # staged, not committed
        record_things(tvers, 2)  # another transaction commits meanwhile
        relay.run_once()
        assert recorder.seen == [2]
        slow.session.commit()
    relay.run_once()
    assert recorder.seen == [2, 1]


def test_subscriber_effects_roll_back_with_a_failure(tvers):
    """The handler runs in the delivery transaction: a failure undoes its writes too."""
    def handle(context: SubscriberContext, event: PublishedEvent) -> None:
        context.record(ThingHappened(number=event.payload["number"] * 10))
        raise RuntimeError("fails after writing")

    relay = Relay(tvers.db, tvers.clock, [Subscriber("writer", frozenset({"thing.happened"}), handle)])
    record_things(tvers, 1)
    relay.run_once()
    assert outbox_count(tvers) == 1


def test_a_batch_subscriber_gets_a_page_of_wanted_events_at_once_and_all_again_after_a_failure(tvers, clock):
    batches: list[list[int]] = []
    failures = [1]

    def handle_batch(_context: SubscriberContext, events) -> None:  # type: ignore[no-untyped-def]
        if failures:
            failures.pop()
            raise RuntimeError("downstream is down")
        batches.append([e.payload["number"] for e in events])

    subscriber = Subscriber(name="batch", event_types=frozenset({"thing.happened"}), handle=lambda _c, _e: None,
                            handle_batch=handle_batch)
    relay = Relay(tvers.db, tvers.clock, [subscriber])
    with tvers.uow() as uow:
        for n in range(5):
            uow.record(ThingHappened(number=n))
            uow.record(OtherThing(number=n))
        uow.commit()
    assert relay.run_once().failed == 1 and batches == []
    clock.advance(seconds=1)
    assert relay.run_once().delivered == 10
    assert batches == [[0, 1, 2, 3, 4]]
    with tvers.uow() as uow:  # delivered again from the start, as after a crash before the cursor moved
        uow.session.get(RelayCursor, "batch").position = 0  # type: ignore[union-attr]
        uow.commit()
    relay.run_once()
    assert batches == [[0, 1, 2, 3, 4]]  # handled once
