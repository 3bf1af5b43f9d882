"""Sender jobs in several OS processes at the same instant on PostgreSQL: every message is sent, none twice."""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from pathlib import Path

import pytest

from support.notifications import notification_rows, send_in_process
from tvers.bootstrap import Tvers
from tvers.integrations.notifications.models import Notification
from tvers.kernel.ids import new_id

PROCESSES, MESSAGES = 4, 200


@pytest.mark.slow
def test_concurrent_sender_jobs_never_send_a_message_twice(tvers: Tvers, tmp_path: Path) -> None:
    if tvers.db.dialect != "postgresql":
        pytest.skip("the claim race runs on PostgreSQL (SQLite has one writer at a time)")
    # given many due messages
    now = tvers.clock.now()
    with tvers.uow() as uow:
        uow.session.add_all(Notification(
            id=new_id("ntf"), event_id=f"evt_{n}", kind="shipped", audience="customer", order_id=f"ord_{n}", customer_id=None,
            location_id=None, recipient=f"c{n}@example.no", medium="email", subject="Order on its way", body="On its way.\n",
            status="queued", reason=None, attempts=0, next_attempt_at=now, created_at=now, sent_at=None) for n in range(MESSAGES))
        uow.commit()
    # when sender jobs in several processes start at the same instant, each writing what it sent to its own file
    context = mp.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 4
    files = [tmp_path / f"sent-{n}.jsonl" for n in range(PROCESSES)]
    workers = [context.Process(target=send_in_process, args=(tvers.settings.database_url, now.isoformat(), str(out), start_at, results))
               for out in files]
    for worker in workers:
        worker.start()
    counts = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    # then every message was sent exactly once, and more than one process took part
    sent = [json.loads(line)["id"] for out in files if out.exists() for line in out.read_text().splitlines()]
    rows = notification_rows(tvers)
    assert sum(counts) == len(sent) == MESSAGES
    assert sorted(sent) == sorted(r.id for r in rows)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    assert sum(1 for count in counts if count > 0) > 1
