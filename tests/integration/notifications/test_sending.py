"""The sender job: due messages claimed, sent with no transaction open, outcomes recorded; retries back off, then give up."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from support.checkout import Shop
from support.notifications import notification_rows, place_order, publish, run_notifications_relay
from tvers import jobs
from tvers.bootstrap import Tvers, build
from tvers.fulfillment.events import OrderShipped
from tvers.integrations.notifications import service
from tvers.integrations.notifications.delivery import SENDING_OFF, DeliveryPass, DeliveryPolicy, send_due
from tvers.integrations.notifications.errors import NotificationNotSent
from tvers.integrations.notifications.models import Notification
from tvers.integrations.notifications.schemas import Audience, Kind, Medium, OutgoingNotification
from tvers.integrations.notifications.senders import ByMedium, FileSender, SmtpSender, build_sender
from tvers.kernel.clock import FixedClock
from tvers.kernel.ids import new_id
from tvers.settings import Settings

POLICY = DeliveryPolicy(max_attempts=3, first_retry=timedelta(seconds=30), claim_for=timedelta(minutes=5), batch=50)


def queue(tvers: Tvers, *recipients: str, medium: str = "email") -> list[str]:
    """Queued messages, due now, as the subscriber writes them."""
    now, ids = tvers.clock.now(), []
    with tvers.uow() as uow:
        for n, recipient in enumerate(recipients):
            ids.append(new_id("ntf"))
            uow.session.add(Notification(
                id=ids[-1], event_id=f"evt_{n}", kind="shipped", audience="customer", order_id="ord_1", customer_id=None, location_id=None,
                recipient=recipient, medium=medium, subject=f"Order WEB-00000{n} is on its way", body="Hi,\n\nIt is on its way.\n",
                status="queued", reason=None, attempts=0, next_attempt_at=now, created_at=now, sent_at=None))
        uow.commit()
    return ids


def states(tvers: Tvers) -> list[tuple[Any, ...]]:
    return [(r.status, r.attempts, r.next_attempt_at, r.sent_at, r.reason) for r in notification_rows(tvers)]


class Recorder:
    """A sender that remembers what it was given and fails as told: `failures` is a list of exceptions to raise first."""

    def __init__(self, *failures: Exception) -> None:
        self.sent: list[OutgoingNotification] = []
        self.tries = 0
        self._failures = list(failures)

    def send(self, notification: OutgoingNotification) -> None:
        self.tries += 1
        if self._failures:
            raise self._failures.pop(0)
        self.sent.append(notification)


def test_the_file_sender_writes_one_json_line_per_message(tmp_path: Path) -> None:
    sender = FileSender(tmp_path / "out.jsonl")
    for n in (1, 2):
        sender.send(OutgoingNotification(id=f"ntf_{n}", kind=Kind.SHIPPED, audience=Audience.CUSTOMER, medium=Medium.SMS,
                                         recipient="+4791234567", subject="Order WEB-000001 is on its way", body="Hei, Åse\n",
                                         order_id="ord_1"))
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": f"ntf_{n}", "kind": "shipped", "audience": "customer", "medium": "sms", "to": "+4791234567",
         "subject": "Order WEB-000001 is on its way", "body": "Hei, Åse\n", "order_id": "ord_1"} for n in (1, 2)]


def test_the_job_sends_what_the_subscriber_wrote_through_the_configured_file_sender(
        tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop, tmp_path: Path, clock: FixedClock) -> None:
    # given a shipped order's message, and a Tvers configured to write notifications to a file
    order = place_order(client, admin, key="a", contact={"name": "Kari", "email": "kari@example.no"})
    publish(tvers, OrderShipped(order_id=order["id"], channel="web", shipment_id="shp_1", location_code="oslo-dc", carrier="Posten",
                                tracking_number=None, tracking_url="https://track.example/1", lines=(), captured_minor=0))
    run_notifications_relay(tvers)
    out = tmp_path / "notifications.jsonl"
    worker = build(Settings(database_url=tvers.settings.database_url, notifications_file=str(out)), clock=clock, subscribers=())
    # when the worker's job runs (twice: the second finds nothing due)
    try:
        assert (jobs.send_notifications(worker), jobs.send_notifications(worker)) == (1, 0)
    finally:
        worker.close()
    # then the message is in the file and recorded as sent
    [line] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    [row] = notification_rows(tvers)
    assert (line["id"], line["to"], line["subject"], line["body"]) == (row.id, "kari@example.no", row.subject, row.body)
    assert "https://track.example/1" in line["body"]
    assert states(tvers) == [("sent", 1, None, clock.now(), None)]


def test_a_failing_sender_is_retried_with_backoff_then_the_message_fails(tvers: Tvers, clock: FixedClock) -> None:
    # given a message and a sender that is down
    queue(tvers, "kari@example.no")
    sender = Recorder(*[ConnectionRefusedError("smtp down")] * 5)
    start = clock.now()
    # when the job runs: the first attempt fails, and it is not due again before its wait is over
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(retrying=1)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass()
    assert states(tvers) == [("queued", 1, start + timedelta(seconds=30), None, "ConnectionRefusedError: smtp down")]
    # then the wait doubles after the second attempt
    clock.advance(seconds=30)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(retrying=1)
    assert states(tvers) == [("queued", 2, start + timedelta(seconds=90), None, "ConnectionRefusedError: smtp down")]
    # and after the last attempt the message fails for good
    clock.advance(seconds=60)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(failed=1)
    clock.advance(hours=2)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass()
    assert states(tvers) == [("failed", 3, None, None, "ConnectionRefusedError: smtp down")]
    assert (sender.tries, sender.sent) == (3, [])


def test_a_message_that_fails_once_is_sent_on_the_retry(tvers: Tvers, clock: FixedClock) -> None:
    queue(tvers, "kari@example.no")
    sender = Recorder(TimeoutError("timed out"))
    send_due(tvers.uow, sender, policy=POLICY)
    clock.advance(seconds=30)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(sent=1)
    assert states(tvers) == [("sent", 2, None, clock.now(), None)]
    assert [n.recipient for n in sender.sent] == ["kari@example.no"]


def test_a_permanent_refusal_fails_the_message_at_once(tvers: Tvers) -> None:
    queue(tvers, "nobody@example.no")
    sender = Recorder(NotificationNotSent("550 no such mailbox", retryable=False))
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(failed=1)
    assert states(tvers) == [("failed", 1, None, None, "NotificationNotSent: 550 no such mailbox")]


def test_with_sending_off_messages_are_skipped_not_left_waiting(tvers: Tvers) -> None:
    queue(tvers, "kari@example.no", "per@example.no")
    assert build_sender(Settings(notifications_sender="none")) is None
    assert send_due(tvers.uow, None, policy=POLICY) == DeliveryPass(skipped=2)
    assert states(tvers) == [("skipped", 1, None, None, SENDING_OFF)] * 2


def test_a_claim_left_by_a_worker_that_died_is_sent_again_once_it_runs_out(tvers: Tvers, clock: FixedClock) -> None:
    # given a message claimed by a worker that never recorded what happened
    queue(tvers, "kari@example.no")
    with tvers.uow() as uow:
        [stale] = service.claim_due(uow, limit=10, claim_for=POLICY.claim_for)
        uow.commit()
    sender = Recorder()
    # when another worker runs: not before the claim runs out, then once
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass()
    clock.advance(minutes=5)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(sent=1)
    # then it is sent, and the dead worker's late report changes nothing
    with tvers.uow() as uow:
        assert service.record_sent(uow, stale) is False
        uow.commit()
    assert states(tvers) == [("sent", 2, None, clock.now(), None)]
    assert [n.id for n in sender.sent] == [stale.notification.id]


def test_many_due_messages_go_in_batches(tvers: Tvers) -> None:
    queue(tvers, *[f"c{n}@example.no" for n in range(7)])
    sender = Recorder()
    assert send_due(tvers.uow, sender, policy=DeliveryPolicy(batch=3)) == DeliveryPass(sent=7)
    assert sorted(n.recipient for n in sender.sent) == sorted(f"c{n}@example.no" for n in range(7))


# A real SMTP server on this machine (aiosmtpd), for the SMTP sender.

class Inbox:
    """An SMTP server's handler: keeps what it accepts; refuses recipients listed in `refuse` with the given reply."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_the_smtp_sender_delivers_to_a_real_smtp_server(tvers: Tvers, client: TestClient, admin: dict[str, str], shop: Shop,
                                                        smtp_server: tuple[Inbox, int], tmp_path: Path) -> None:
    # given a shipped order's message and SMTP configured
    inbox, port = smtp_server
    order = place_order(client, admin, key="a", contact={"name": "Kari Nordmann", "email": "kari@example.no"})
    publish(tvers, OrderShipped(order_id=order["id"], channel="web", shipment_id="shp_1", location_code="oslo-dc", carrier="Posten",
                                tracking_number="70700123", tracking_url="https://track.example/70700123", lines=(), captured_minor=0))
    run_notifications_relay(tvers)
    sender = build_sender(Settings(notifications_sender="smtp", smtp_host="127.0.0.1", smtp_port=port,
                                   smtp_from="Fjellrev <ordre@fjellrev.example>", notifications_file=str(tmp_path / "sms.jsonl")))
    assert isinstance(sender, ByMedium)
    # when the job sends it
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(sent=1)
    # then the server received it from the configured address, to the customer, with the rendered words
    [row] = notification_rows(tvers)
    [(mail_from, rcpt_tos, content)] = inbox.received
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert (mail_from, rcpt_tos) == ("ordre@fjellrev.example", ["kari@example.no"])
    assert (message["From"], message["To"], message["Subject"]) == ("Fjellrev <ordre@fjellrev.example>", "kari@example.no",
                                                                     "Order WEB-000001 is on its way")
    assert message["Message-ID"] == f"<{row.id}@fjellrev.example>"
    assert message.get_content().replace("\r\n", "\n") == row.body  # SMTP carries lines ending in CRLF
    assert "Follow the parcel: https://track.example/70700123" in row.body
    assert (row.status, row.attempts) == ("sent", 1)
    assert not (tmp_path / "sms.jsonl").exists()


def test_with_smtp_configured_sms_still_go_to_the_file(tvers: Tvers, smtp_server: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    queue(tvers, "+4791234567", medium="sms")
    sender = build_sender(Settings(notifications_sender="smtp", smtp_host="127.0.0.1", smtp_port=port,
                                   notifications_file=str(tmp_path / "sms.jsonl")))
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(sent=1)
    assert inbox.received == []
    assert [json.loads(line)["to"] for line in (tmp_path / "sms.jsonl").read_text().splitlines()] == ["+4791234567"]


def test_smtp_refusals_fail_at_once_when_permanent_and_retry_when_temporary(tvers: Tvers, smtp_server: tuple[Inbox, int]) -> None:
    # given a server that has no such mailbox for one address and is over quota for another
    inbox, port = smtp_server
    inbox.refuse = {"nobody@example.no": "550 5.1.1 no such mailbox", "full@example.no": "452 4.2.2 mailbox full"}
    queue(tvers, "nobody@example.no", "full@example.no")
    sender = SmtpSender(host="127.0.0.1", port=port, sender="ordre@fjellrev.example", timeout_seconds=5)
    # when the job sends them
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(retrying=1, failed=1)
    # then the missing mailbox fails for good and the full one is tried again later
    assert [(r.recipient, r.status, r.attempts) for r in notification_rows(tvers)] == [
        ("nobody@example.no", "failed", 1), ("full@example.no", "queued", 1)]
    assert inbox.received == []


def test_an_smtp_server_that_is_not_there_is_retried(tvers: Tvers) -> None:
    queue(tvers, "kari@example.no")
    sender = SmtpSender(host="127.0.0.1", port=free_port(), sender="ordre@fjellrev.example", timeout_seconds=5)
    assert send_due(tvers.uow, sender, policy=POLICY) == DeliveryPass(retrying=1)
    [(status, attempts, _, _, reason)] = states(tvers)
    assert (status, attempts) == ("queued", 1)
    assert reason.startswith("ConnectionRefusedError")
