"""Inventory use cases; each takes the unit of work and never commits."""

from tvers.inventory.service.availability import announce_atp_changes, atp_table, channel_availability, nearest, stock_at, variant_stock
from tvers.inventory.service.candidates import Candidate, location_candidate, shipping_candidates
from tvers.inventory.service.doctor import check_stock
from tvers.inventory.service.ledger import adjust, count, move_stock, movements, receive, restock_return, set_stock_settings, write_off
from tvers.inventory.service.locations import (
    create_location,
    get_channel_pool,
    get_location,
    get_location_by_id,
    list_locations,
    set_channel_pool,
    update_location,
)
from tvers.inventory.service.replenishment import compute_reorder_points, suggestions
from tvers.inventory.service.reservation_changes import (
    HeldUnits,
    active_references,
    consume_held,
    held_by,
    hold_reservations_until,
    renew_held,
    shrink_reservation,
)
from tvers.inventory.service.reservations import (
    Ref,
    ReserveLine,
    consume_reservation,
    expired_reservations_exist,
    get_reservations,
    release_expired,
    release_reference,
    release_reservations,
    reservations_for,
    reserve,
    reserve_stock,
)
from tvers.inventory.service.sync import sync_stock
from tvers.inventory.service.transfers import cancel_transfer, create_transfer, get_transfer, receive_transfer, ship_transfer

__all__ = [
    "Candidate",
    "HeldUnits",
    "consume_held",
    "get_location_by_id",
    "held_by",
    "renew_held",
    "active_references",
    "Ref",
    "ReserveLine",
    "adjust",
    "announce_atp_changes",
    "atp_table",
    "cancel_transfer",
    "channel_availability",
    "check_stock",
    "compute_reorder_points",
    "consume_reservation",
    "count",
    "create_location",
    "create_transfer",
    "expired_reservations_exist",
    "get_channel_pool",
    "get_location",
    "get_reservations",
    "reserve",
    "get_transfer",
    "hold_reservations_until",
    "list_locations",
    "location_candidate",
    "move_stock",
    "movements",
    "nearest",
    "receive",
    "receive_transfer",
    "release_expired",
    "release_reference",
    "release_reservations",
    "reservations_for",
    "reserve_stock",
    "restock_return",
    "set_channel_pool",
    "set_stock_settings",
    "shipping_candidates",
    "shrink_reservation",
    "ship_transfer",
    "stock_at",
    "suggestions",
    "sync_stock",
    "update_location",
    "variant_stock",
    "write_off",
]
