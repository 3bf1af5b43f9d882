"""The outbox table: events staged in the command's transaction, sequenced after commit.

Rows get an insertion `id` when staged and a delivery `position` from the sequencer
once they are visible; see docs/adr/0002-outbox-sequencing.md for why not the id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Integer, String, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tvers.db.base import Base, BigIntKey, Json, UtcDateTime
from tvers.db.rows import rows_as_json
from tvers.kernel.events import DomainEvent, PublishedEvent
from tvers.kernel.ids import new_id


class OutboxEvent(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True)


OUTBOX = cast(Table, OutboxEvent.__table__)


class OutboxSequencer(Base):
    """One row whose lock serialises sequencing across relay processes."""

    __tablename__ = "outbox_sequencer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_position: Mapped[int] = mapped_column(BigInteger, default=0)


_SET_POSITION = update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id")).values(position=bindparam("at"))


def stage(session: Session, events: Sequence[DomainEvent], *, at: datetime) -> list[str]:
    """Write events into the outbox within the caller's transaction; returns their event ids."""
    if not events:
        return []
    ids = [new_id("evt") for _ in events]
    rows = [{"event_id": i, "type": e.type, "payload": e.payload(), "occurred_at": at} for i, e in zip(ids, events, strict=True)]
    session.connection().execute(insert(OUTBOX), rows)  # core executemany: a bulk load stages thousands at once
    return ids


def stage_in_statement(rows_from: str) -> str:
    """PostgreSQL text of an INSERT that stages one event for each row of `rows_from` (a `FROM … WHERE …` clause), for
    a hot path that writes its event in the same statement as the change it announces (a data-modifying CTE). Its
    parameters are `statement_params`; bind `event_at` as UtcDateTime."""
    return (
        "INSERT INTO outbox (event_id, type, payload, occurred_at)"
        f" SELECT :event_id, :event_type, CAST(:event_payload AS jsonb), :event_at {rows_from}"
    )


def statement_params(event: DomainEvent, *, at: datetime) -> dict[str, Any]:
    """The parameters of `stage_in_statement` for one event, with a new event id as `stage` gives."""
    return {"event_id": new_id("evt"), "event_type": event.type, "event_payload": rows_as_json(event.payload()), "event_at": at}


def unstage(session: Session, event_ids: Sequence[str]) -> None:
    """Take back events staged earlier in this transaction (a hot path that staged before its decision)."""
    if event_ids:
        session.connection().execute(delete(OUTBOX).where(OUTBOX.c.event_id.in_(list(event_ids))))


def sequence(session: Session, *, batch: int = 1000) -> int:
    """Give visible unsequenced events the next positions, in insertion order.

    Only committed rows are visible, so an event whose transaction commits late gets a
    later position instead of being skipped; the locked row keeps positions gap-free.
    """
    last = session.execute(select(OutboxSequencer.last_position).where(OutboxSequencer.id == 1).with_for_update()).scalar_one_or_none()
    if last is None:
        session.add(OutboxSequencer(id=1, last_position=0))
        session.flush()
        last = 0
    ids = session.scalars(select(OutboxEvent.id).where(OutboxEvent.position.is_(None)).order_by(OutboxEvent.id).limit(batch)).all()
    if ids:  # one executemany (pipelined by psycopg), not a round trip per event
        session.connection().execute(_SET_POSITION, [{"row_id": event_id, "at": last + n} for n, event_id in enumerate(ids, start=1)])
    if ids:
        session.execute(update(OutboxSequencer).where(OutboxSequencer.id == 1).values(last_position=last + len(ids)))
    return len(ids)


def read_after(session: Session, *, position: int, limit: int) -> list[PublishedEvent]:
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.position > position).order_by(OutboxEvent.position).limit(limit)).all()
    return [_published(row) for row in rows]


def read_positions(session: Session, positions: Sequence[int]) -> list[PublishedEvent]:
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.position.in_(list(positions))).order_by(OutboxEvent.position)).all()
    return [_published(row) for row in rows]


def types_after(session: Session, *, position: int, limit: int) -> list[tuple[int, str]]:
    """(position, type) of the next sequenced events: enough to tell which ones a subscriber wants."""
    rows = session.execute(
        select(OutboxEvent.position, OutboxEvent.type).where(OutboxEvent.position > position).order_by(OutboxEvent.position).limit(limit)
    ).all()
    return [(p, t) for p, t in rows if p is not None]


def head_position(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(OutboxEvent.position), 0))) or 0


def _published(row: OutboxEvent) -> PublishedEvent:
    assert row.position is not None
    return PublishedEvent(event_id=row.event_id, type=row.type, position=row.position, occurred_at=row.occurred_at, payload=row.payload)
