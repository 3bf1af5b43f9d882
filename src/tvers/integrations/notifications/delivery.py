"""Sending due notifications: claim in a short transaction, send with none open, record each outcome in its own.

A worker that dies after handing a message over but before recording it leaves the row `sending`; once the claim runs
out it is sent again (at least once, like the relay). The message id is stable, so a receiver can drop the repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from tvers.db.uow import Uow
from tvers.integrations.notifications import service
from tvers.integrations.notifications.schemas import Status
from tvers.integrations.notifications.senders import Sender
from tvers.kernel.errors import ExternalFailure
from tvers.settings import Settings

log = logging.getLogger(__name__)

SENDING_OFF = "sending is off (notifications_sender = none)"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    max_attempts: int = 5
    first_retry: timedelta = timedelta(seconds=30)
    claim_for: timedelta = timedelta(minutes=5)
    batch: int = 50

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(max_attempts=settings.notifications_max_attempts, first_retry=timedelta(seconds=settings.notifications_retry_seconds),
                   claim_for=timedelta(seconds=settings.notifications_claim_seconds), batch=settings.notifications_batch)


@dataclass(frozen=True, slots=True)
class DeliveryPass:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.skipped


def send_due(open_uow: Callable[[], Uow], sender: Sender | None, *, policy: DeliveryPolicy) -> DeliveryPass:
    """Send every message due now, a batch at a time; with no sender, they are marked skipped."""
    counts = {status: 0 for status in Status}
    while True:
        with open_uow() as uow:
            claims = service.claim_due(uow, limit=policy.batch, claim_for=policy.claim_for)
            uow.commit()
        for claim in claims:
            counts[_deliver(open_uow, sender, claim, policy)] += 1
        if len(claims) < policy.batch:
            return DeliveryPass(sent=counts[Status.SENT], retrying=counts[Status.QUEUED], failed=counts[Status.FAILED],
                                skipped=counts[Status.SKIPPED])


def _deliver(open_uow: Callable[[], Uow], sender: Sender | None, claim: service.Claim, policy: DeliveryPolicy) -> Status:
    outcome, error, is_retryable = Status.SENT, "", True
    if sender is None:
        outcome = Status.SKIPPED
    else:
        try:
            sender.send(claim.notification)  # no transaction is open here
        except Exception as failure:  # any sender's failure is recorded on the message, never raised into the job
            outcome, error = Status.FAILED, f"{type(failure).__name__}: {failure}"
            is_retryable = failure.retryable if isinstance(failure, ExternalFailure) else True
            log.warning("notification %s attempt %d failed: %s", claim.notification.id, claim.attempt, error)
    with open_uow() as uow:
        if outcome is Status.SENT:
            service.record_sent(uow, claim)
        elif outcome is Status.SKIPPED:
            service.record_skipped(uow, claim, reason=SENDING_OFF)
        else:
            outcome = service.record_failure(uow, claim, error=error, is_retryable=is_retryable, max_attempts=policy.max_attempts,
                                             first_wait=policy.first_retry)
        uow.commit()
    return outcome
