"""The unit of work: one transaction per command, and the events it records."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tvers.db import outbox
from tvers.db.session import Database
from tvers.kernel.clock import Clock
from tvers.kernel.events import DomainEvent


class Uow:
    """Owns a session and its transaction; commit writes recorded events to the outbox.

    Services take a Uow and never commit: the entrypoint (request, CLI command, job)
    does. Leaving the block without commit rolls everything back, events included.

    `memo` lives as long as the transaction (cleared on commit and rollback): a service may keep what it read there
    (e.g. a channel by code), so that a second read of it in the same transaction costs no statement; whoever changes
    the thing drops it.
    """

    session: Session

    def __init__(self, db: Database, clock: Clock, *, read_only: bool = False, after_commit: Callable[[], None] | None = None) -> None:
        self._db, self.clock, self.read_only = db, clock, read_only
        self._after_commit = after_commit
        self._events: list[DomainEvent] = []
        self._staged = False
        self.memo: dict[Any, Any] = {}

    @property
    def dialect(self) -> str:
        return self._db.dialect

    def __enter__(self) -> Uow:
        self.session = (self._db.read_sessions if self.read_only else self._db.sessions)()
        self._events, self._staged = [], False
        self.memo = {}
        return self

    def core_connection(self) -> Connection:
        """The transaction's connection, for statements run as Core on hot paths: what the ORM holds pending is
        written first, as its autoflush would before a query of its own, so such a statement sees it too."""
        self.session.flush()
        return self.session.connection()

    def record(self, event: DomainEvent) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot record events")
        self._events.append(event)

    def record_now(self, event: DomainEvent) -> str:
        """Record an event and write it to the outbox now, after any recorded before it; returns its event id.

        For hot paths that must not write after taking a row lock: the row stays in this transaction (it commits
        or rolls back with it) and keeps its order among the events; `unrecord` takes it back.
        """
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot record events")
        *_, event_id = outbox.stage(self.session, [*self._events, event], at=self.clock.now())
        self._events.clear()
        self._staged = True
        return event_id

    def stage_recorded(self) -> None:
        """Write the events recorded so far to the outbox now, for a hot path about to write its own event row in
        its own statement (after them, as `record_now` would); the commit still counts it as having events."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot record events")
        outbox.stage(self.session, self._events, at=self.clock.now())
        self._events.clear()
        self._staged = True

    def unrecord(self, event_id: str) -> None:
        """Take back an event written by `record_now` (the hot path decided against it)."""
        outbox.unstage(self.session, [event_id])

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._events)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        had_events = bool(self._events) or self._staged
        outbox.stage(self.session, self._events, at=self.clock.now())
        self.session.commit()
        self._events.clear()
        self._staged = False
        self.memo = {}
        if had_events and self._after_commit is not None:
            self._after_commit()

    def rollback(self) -> None:
        self.session.rollback()
        self._events.clear()
        self._staged = False
        self.memo = {}

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.session.rollback()  # nothing to undo after a commit
        self.session.close()
        self._events.clear()
        self._staged = False
        self.memo = {}


UowFactory = Callable[..., Uow]
