"""Errors of the notification senders."""

from __future__ import annotations

from tvers.kernel.errors import ExternalFailure


class NotificationNotSent(ExternalFailure):
    """A sender could not deliver; `retryable=False` (a mailbox that does not exist) fails the message without retries."""

    code = "notification_not_sent"
