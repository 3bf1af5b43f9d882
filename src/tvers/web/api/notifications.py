"""Notification routes: what Tvers told customers and stores about an order, and whether it went out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from tvers.channels.access import Permission, Principal
from tvers.integrations.notifications import service as notifications
from tvers.integrations.notifications.schemas import NotificationOut, Status
from tvers.web.api.common import After, Limit, PageOut, api_router
from tvers.web.deps import ReadUowDep, requires

router = api_router("notifications")

Read = Annotated[Principal, Depends(requires(Permission.NOTIFICATIONS_READ))]


@router.get("/notifications", response_model=PageOut[NotificationOut])
def list_notifications(uow: ReadUowDep, _: Read, limit: Limit = 50, after: After = None,
                       order_id: Annotated[str | None, Query(max_length=40)] = None,
                       status: Status | None = None) -> PageOut[NotificationOut]:
    """Newest first; filter by order and by status (queued, sending, sent, skipped, failed)."""
    with uow:
        return PageOut.of(notifications.list_notifications(uow, order_id=order_id, status=status, after=after, limit=limit))
