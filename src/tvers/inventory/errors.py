"""Errors the inventory module publishes."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound


class LocationNotFound(NotFound):
    code = "location_not_found"


class DuplicateLocation(Conflict):
    code = "duplicate_location"


class UnknownSku(NotFound):
    code = "unknown_sku"


class InsufficientStock(Conflict):
    """Not enough available stock; `context` says what was asked and where else it is."""

    code = "insufficient_stock"


class ReservationNotFound(NotFound):
    code = "reservation_not_found"


class ReservationNotActive(Conflict):
    code = "reservation_not_active"


class ReservationExpired(Conflict):
    code = "reservation_expired"


class VariantArchived(Conflict):
    code = "variant_archived"


class InvalidQuantity(InvalidInput):
    code = "invalid_quantity"


class InvalidExpiry(InvalidInput):
    code = "invalid_expiry"


class TransferNotFound(NotFound):
    code = "transfer_not_found"


class InvalidTransfer(InvalidInput):
    code = "invalid_transfer"


class TransferStateConflict(Conflict):
    code = "transfer_state_conflict"


class OverReceipt(InvalidInput):
    code = "over_receipt"


class InvalidSyncBatch(InvalidInput):
    code = "invalid_sync_batch"


class SyncBatchReused(Conflict):
    code = "sync_batch_reused"


class SyncBatchInProgress(Conflict):
    code = "sync_batch_in_progress"


class LocationInactive(Conflict):
    code = "location_inactive"
