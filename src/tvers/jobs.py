"""Scheduled background work run by `tvers worker`: each job is one short command."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from tvers.bootstrap import Tvers
from tvers.db import idempotency
from tvers.integrations.notifications import delivery as notifications
from tvers.inventory import service as inventory
from tvers.returns import service as returns
from tvers.workflows import exchanges
from tvers.workflows.checkout import sweep_stalled_checkouts
from tvers.workflows.resourcing import expire_uncollected, sweep_overdue_tasks
from tvers.workflows.return_refunds import sweep_pending_refunds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Tvers], int]


def release_expired_reservations(tvers: Tvers) -> int:
    """Give back stock held by reservations that ran out (carts abandoned, checkouts never finished)."""
    total = 0
    while True:
        with tvers.uow() as uow:
            released = inventory.release_expired(uow, limit=500)
            uow.commit()
        total += released
        if released < 500:
            return total


def purge_idempotency_keys(tvers: Tvers) -> int:
    return idempotency.purge_expired(tvers.db, now=tvers.clock.now())


def finish_stalled_checkouts(tvers: Tvers) -> int:
    """Checkouts a crash left between steps: finished (same idempotency keys) or undone; never left holding stock or money."""
    return sweep_stalled_checkouts(tvers)


def resource_overdue_tasks(tvers: Tvers) -> int:
    """Ship and transfer tasks nobody accepted in time go to the next best location."""
    return sweep_overdue_tasks(tvers)


def expire_uncollected_pickups(tvers: Tvers) -> int:
    """Pickups not collected within `pickup_expiry_days`: cancelled, restocked, money released."""
    return expire_uncollected(tvers)


def expire_return_authorisations(tvers: Tvers) -> int:
    """Return authorisations past `expires_at` whose goods never came in: `expired`, their units returnable again and an
    exchange's held replacement freed."""
    total = 0
    while True:
        with tvers.uow() as uow:
            expired = returns.expire_due(uow, limit=500)
            for return_id in expired:
                exchanges.release_hold(uow, return_id, reason="return authorisation expired")
            uow.commit()
        total += len(expired)
        if len(expired) < 500:
            return total


def settle_return_refunds(tvers: Tvers) -> int:
    """Refunds of returns no provider answered yet (a timeout, a crash): re-sent with the same keys, the returns settled."""
    return sweep_pending_refunds(tvers)


def finish_exchanges(tvers: Tvers) -> int:
    """Exchanges whose goods came in but whose replacement a crash left unordered, or still pending: placed again (same key)."""
    return exchanges.finish_exchanges(tvers)


def send_notifications(tvers: Tvers) -> int:
    """Due notifications: claimed in a short transaction, sent with none open, each outcome recorded (retries back off)."""
    policy = notifications.DeliveryPolicy.from_settings(tvers.settings)
    return notifications.send_due(tvers.uow, tvers.notification_sender, policy=policy).handled


JOBS = (
    Job("finish_stalled_checkouts", every_seconds=30, run=finish_stalled_checkouts),
    Job("release_expired_reservations", every_seconds=15, run=release_expired_reservations),
    Job("resource_overdue_tasks", every_seconds=60, run=resource_overdue_tasks),
    Job("expire_uncollected_pickups", every_seconds=timedelta(minutes=30).total_seconds(), run=expire_uncollected_pickups),
    Job("expire_return_authorisations", every_seconds=timedelta(hours=1).total_seconds(), run=expire_return_authorisations),
    Job("settle_return_refunds", every_seconds=60, run=settle_return_refunds),
    Job("finish_exchanges", every_seconds=60, run=finish_exchanges),
    Job("send_notifications", every_seconds=5, run=send_notifications),
    Job("purge_idempotency_keys", every_seconds=timedelta(hours=1).total_seconds(), run=purge_idempotency_keys),
)


def run_due_jobs(tvers: Tvers, *, last_runs: dict[str, float]) -> dict[str, int]:
    """Run each job whose interval has passed; a failing job is logged and tried next time."""
    done = {}
    for job in JOBS:
        if time.monotonic() - last_runs.get(job.name, float("-inf")) < job.every_seconds:
            continue
        last_runs[job.name] = time.monotonic()
        try:
            done[job.name] = job.run(tvers)
        except Exception:  # one job's failure must not stop the worker
            log.exception("job %s failed", job.name)
    return done
