"""Every module's tables, imported together so the metadata is complete (migrations, checks)."""

from __future__ import annotations

import tvers.carts.models
import tvers.catalog.models
import tvers.channels.models
import tvers.customers.models
import tvers.db.idempotency
import tvers.db.outbox
import tvers.fulfillment.models
import tvers.integrations.models
import tvers.integrations.notifications.models
import tvers.inventory.models
import tvers.orders.models
import tvers.payments.models
import tvers.quoting.models
import tvers.returns.models  # noqa: F401
from tvers.db.base import Base

target_metadata = Base.metadata
