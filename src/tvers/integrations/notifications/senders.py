"""Senders: how a notification leaves Tvers. One small interface; a file for development and SMS, SMTP for real email.

A sender returns when the message was handed over and raises when it was not: `NotificationNotSent(retryable=False)`
for a refusal that will not change (the message fails at once), anything else is retried with backoff.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Protocol

from tvers.integrations.notifications.errors import NotificationNotSent
from tvers.integrations.notifications.schemas import Medium, OutgoingNotification
from tvers.settings import Settings

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, notification: OutgoingNotification) -> None:
        """Hand the message over, or raise."""
        ...


class FileSender:
    """Appends one JSON line per message to a file (and logs that it did, without the personal parts)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, notification: OutgoingNotification) -> None:
        line = json.dumps({
            "id": notification.id, "kind": notification.kind.value, "audience": notification.audience.value,
            "medium": notification.medium.value, "to": notification.recipient, "subject": notification.subject,
            "body": notification.body, "order_id": notification.order_id,
        }, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
        log.info("notification %s (%s, %s by %s) written to %s", notification.id, notification.kind.value,
                 notification.audience.value, notification.medium.value, self.path)


class SmtpSender:
    """Email through an SMTP server (stdlib smtplib), one connection per message; it cannot send SMS."""

    def __init__(self, *, host: str, port: int, sender: str, username: str | None = None, password: str | None = None,
                 starttls: bool = False, timeout_seconds: float = 20.0) -> None:
        self._host, self._port, self._from = host, port, sender
        self._username, self._password, self._starttls, self._timeout = username, password, starttls, timeout_seconds

    def send(self, notification: OutgoingNotification) -> None:
        if notification.medium is not Medium.EMAIL:
            raise NotificationNotSent(f"the SMTP sender sends email, not {notification.medium.value}", retryable=False)
        try:
            message = self.message(notification)
        except ValueError as error:  # a header the email library refuses (a line break in an address): it will not change
            raise NotificationNotSent(f"cannot write this message as email: {error}", retryable=False) from error
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._username:
                    smtp.login(self._username, self._password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _text in refused.recipients.values()]
            raise NotificationNotSent(f"recipient refused: {refused.recipients}", retryable=min(codes) < 500) from refused
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as error:  # our settings, not this message: wait for a fix
            raise NotificationNotSent(f"SMTP {error.smtp_code}: {error.smtp_error!r}", retryable=True) from error
        except smtplib.SMTPResponseException as error:  # 4xx: try again later; 5xx about this message: it will not change
            raise NotificationNotSent(f"SMTP {error.smtp_code}: {error.smtp_error!r}", retryable=error.smtp_code < 500) from error

    def message(self, notification: OutgoingNotification) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["Date"] = formatdate(usegmt=True)
        # The id is stable across retries, so a receiving system can drop a message it already has.
        message["Message-ID"] = f"<{notification.id}@{_domain(self._from)}>"
        message.set_content(notification.body)
        return message


class ByMedium:
    """Email through one sender, SMS through another (there is no SMS gateway adapter yet: SMS go to the file)."""

    def __init__(self, *, email: Sender, sms: Sender) -> None:
        self._email, self._sms = email, sms

    def send(self, notification: OutgoingNotification) -> None:
        (self._sms if notification.medium is Medium.SMS else self._email).send(notification)


def build_sender(settings: Settings) -> Sender | None:
    """The sender `notifications_sender` names; None for "none" (messages are then marked skipped, not sent)."""
    if settings.notifications_sender == "none":
        return None
    file_sender = FileSender(settings.notifications_file)
    if settings.notifications_sender == "file":
        return file_sender
    smtp = SmtpSender(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from, username=settings.smtp_username,
                      password=settings.smtp_password, starttls=settings.smtp_starttls, timeout_seconds=settings.smtp_timeout_seconds)
    return ByMedium(email=smtp, sms=file_sender)


def _domain(address: str) -> str:
    _name, email = parseaddr(address)
    return email.rpartition("@")[2] or "tvers.invalid"
