"""Idempotency keys: a retried POST gets the first response instead of a second effect.

A key is claimed in its own short transaction before the command runs, so concurrent
retries find the claim and wait for the stored response; see ADR 0003.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, LargeBinary, String, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from tvers.db.base import Base, UtcDateTime
from tvers.db.rows import rows_changed
from tvers.db.session import Database
from tvers.db.upsert import insert_if_absent

CLAIM_LEASE = timedelta(seconds=60)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    principal: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)


IDEMPOTENCY_KEYS: Table = IdempotencyRecord.__table__  # type: ignore[assignment]


# Built once (every idempotent POST runs them): a new key claimed in one statement (PostgreSQL, SQLite), the answer kept.
_CLAIM = {
    is_postgres: dialect.insert(IDEMPOTENCY_KEYS).on_conflict_do_nothing(index_elements=["principal", "key"])
    .returning(IDEMPOTENCY_KEYS.c.principal)
    for is_postgres, dialect in ((True, postgresql), (False, sqlite))
}
_COMPLETE = update(IDEMPOTENCY_KEYS).where(IDEMPOTENCY_KEYS.c.principal == bindparam("b_principal"),
                                           IDEMPOTENCY_KEYS.c.key == bindparam("b_key"))


@dataclass(frozen=True)
class Claimed:
    """This request owns the key: run the command, then complete or release."""


@dataclass(frozen=True)
class Replay:
    status_code: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Mismatch:
    """The key was used before with a different request."""


@dataclass(frozen=True)
class InProgress:
    """Another request holds the key and has not finished."""


ClaimResult = Claimed | Replay | Mismatch | InProgress


def claim(db: Database, *, principal: str, key: str, fingerprint: str, now: datetime, ttl: timedelta) -> ClaimResult:
    with db.sessions() as session:
        result = claim_in(session, principal=principal, key=key, fingerprint=fingerprint, now=now, ttl=ttl)
        session.commit()
        return result


def claim_in(session: Session, *, principal: str, key: str, fingerprint: str, now: datetime, ttl: timedelta) -> ClaimResult:
    """`claim` in the caller's transaction (the caller commits, also when the answer is not `Claimed`).

    One statement when the key is new: INSERT … ON CONFLICT DO NOTHING RETURNING. A key already there is read and
    judged; an expired or abandoned one is taken over (deleted and inserted again).
    """
    fresh = {"principal": principal, "key": key, "fingerprint": fingerprint, "created_at": now, "expires_at": now + ttl,
             "lease_until": now + CLAIM_LEASE}
    if session.connection().execute(_CLAIM[session.get_bind().dialect.name == "postgresql"], fresh).first() is not None:
        return Claimed()
    existing = session.execute(select(IdempotencyRecord).where(IdempotencyRecord.principal == principal,
                                                                IdempotencyRecord.key == key)).scalar_one_or_none()
    if existing is None:  # released between the two statements: claim it again
        return Claimed() if insert_if_absent(session, IDEMPOTENCY_KEYS, fresh, keys=["principal", "key"]) else InProgress()
    if existing.expires_at <= now or _abandoned(existing, now):
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key,
                                                        IdempotencyRecord.lease_until == existing.lease_until))
        return Claimed() if insert_if_absent(session, IDEMPOTENCY_KEYS, fresh, keys=["principal", "key"]) else InProgress()
    return _judge(existing, fingerprint)


def _abandoned(record: IdempotencyRecord, now: datetime) -> bool:
    """A claim whose holder died (no response after its lease) may be taken over."""
    return record.status_code is None and record.lease_until <= now


def _judge(record: IdempotencyRecord, fingerprint: str) -> ClaimResult:
    if record.fingerprint != fingerprint:
        return Mismatch()
    if record.status_code is None or record.body is None:
        return InProgress()
    return Replay(status_code=record.status_code, content_type=record.content_type or "application/json", body=record.body)


def complete(db: Database, *, principal: str, key: str, status_code: int, content_type: str, body: bytes) -> None:
    with db.sessions() as session:
        session.connection().execute(_COMPLETE, {"b_principal": principal, "b_key": key, "status_code": status_code,
                                                 "content_type": content_type, "body": body})
        session.commit()


def release(db: Database, *, principal: str, key: str) -> None:
    """Forget a claim whose command failed unexpectedly, so a retry runs it again."""
    with db.sessions() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == key, IdempotencyRecord.status_code.is_(None)
            )
        )
        session.commit()


def purge_expired(db: Database, *, now: datetime) -> int:
    with db.sessions() as session:
        result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
        session.commit()
        return rows_changed(result)


def stored(db: Database, *, principal: str, key: str) -> IdempotencyRecord | None:
    with db.read_sessions() as session:
        return session.execute(
            select(IdempotencyRecord).where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
        ).scalar_one_or_none()
