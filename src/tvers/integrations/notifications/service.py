"""Use cases of the notifications table: claim due messages, record what sending did, list them. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.integrations.notifications.models import Notification
from tvers.integrations.notifications.schemas import Audience, Kind, Medium, NotificationOut, OutgoingNotification, Status

MAX_RETRY_WAIT = timedelta(hours=1)
DUE = (Status.QUEUED.value, Status.SENDING.value)  # a `sending` row is due again only once its claim ran out


@dataclass(frozen=True, slots=True)
class Claim:
    """A message this worker may send now; `attempt` is its number, and the outcome is recorded only if it still holds."""

    notification: OutgoingNotification
    attempt: int


def claim_due(uow: Uow, *, limit: int, claim_for: timedelta) -> list[Claim]:
    """Mark up to `limit` due messages `sending` for `claim_for`, counting the attempt.

    On PostgreSQL the rows are locked with SKIP LOCKED, so two workers claiming at once get different rows, and a row
    one of them claimed is not due again before its claim runs out; SQLite has one writer at a time.
    """
    now = uow.clock.now()
    rows = list(uow.session.scalars(
        select(Notification)
        .where(Notification.status.in_(DUE), Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    for row in rows:  # locked by this transaction: nobody else changes them until it commits
        row.status, row.attempts, row.next_attempt_at = Status.SENDING.value, row.attempts + 1, now + claim_for
    uow.session.flush()
    return [Claim(notification=_outgoing(row), attempt=row.attempts) for row in rows]


def record_sent(uow: Uow, claim: Claim) -> bool:
    """False if the claim no longer held (it ran out and another worker took the message)."""
    return _settle(uow, claim, status=Status.SENT, reason=None, sent=True)


def record_skipped(uow: Uow, claim: Claim, *, reason: str) -> bool:
    return _settle(uow, claim, status=Status.SKIPPED, reason=reason)


def record_failure(uow: Uow, claim: Claim, *, error: str, is_retryable: bool, max_attempts: int, first_wait: timedelta) -> Status:
    """Queued again after a wait that doubles with each attempt, or failed: after the last attempt, or at once if not retryable."""
    if is_retryable and claim.attempt < max_attempts:
        retry_at = uow.clock.now() + retry_wait(claim.attempt, first=first_wait)
        _settle(uow, claim, status=Status.QUEUED, reason=error, retry_at=retry_at)
        return Status.QUEUED
    _settle(uow, claim, status=Status.FAILED, reason=error)
    return Status.FAILED


def retry_wait(attempts: int, *, first: timedelta) -> timedelta:
    """`first`, then twice as long after each further attempt, at most an hour."""
    wait: timedelta = first * (2 ** min(max(0, attempts - 1), 20))  # the cap keeps a long run of attempts from overflowing
    return min(wait, MAX_RETRY_WAIT)


def list_notifications(uow: Uow, *, order_id: str | None = None, status: Status | None = None, after: str | None = None,
                       limit: int = 50) -> Page[NotificationOut]:
    """Newest first; ids are time-sortable, so the id is the cursor."""
    statement = select(Notification).order_by(Notification.id.desc()).limit(limit + 1)
    if order_id is not None:
        statement = statement.where(Notification.order_id == order_id)
    if status is not None:
        statement = statement.where(Notification.status == status.value)
    last_seen = decode_cursor(after)
    if last_seen:
        statement = statement.where(Notification.id < last_seen)
    rows = list(uow.session.scalars(statement))
    page = page_of(rows, limit=limit, last_id=rows[limit - 1].id if len(rows) > limit else None)
    return Page(items=[notification_out(row) for row in page.items], next_cursor=page.next_cursor)


def notifications_for_order(uow: Uow, order_id: str) -> list[NotificationOut]:
    rows = uow.session.scalars(select(Notification).where(Notification.order_id == order_id).order_by(Notification.id))
    return [notification_out(row) for row in rows]


def notification_out(row: Notification) -> NotificationOut:
    return NotificationOut(
        id=row.id, event_id=row.event_id, kind=Kind(row.kind), audience=Audience(row.audience), order_id=row.order_id,
        customer_id=row.customer_id, location_id=row.location_id, recipient=row.recipient, medium=Medium(row.medium),
        subject=row.subject, body=row.body, status=Status(row.status), reason=row.reason, attempts=row.attempts,
        next_attempt_at=row.next_attempt_at, created_at=row.created_at, sent_at=row.sent_at,
    )


def _settle(uow: Uow, claim: Claim, *, status: Status, reason: str | None, sent: bool = False,
            retry_at: datetime | None = None) -> bool:
    """One conditional UPDATE: only while the row is still `sending` under this very attempt."""
    changed = uow.session.execute(
        update(Notification)
        .where(Notification.id == claim.notification.id, Notification.status == Status.SENDING.value,
               Notification.attempts == claim.attempt)
        .values(status=status.value, reason=None if reason is None else reason[:2000], next_attempt_at=retry_at,
                sent_at=uow.clock.now() if sent else None)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(changed) == 1


def _outgoing(row: Notification) -> OutgoingNotification:
    return OutgoingNotification(id=row.id, kind=Kind(row.kind), audience=Audience(row.audience), medium=Medium(row.medium),
                                recipient=row.recipient, subject=row.subject, body=row.body, order_id=row.order_id)

