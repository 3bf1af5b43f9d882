"""Who may do what: roles, permissions and scopes, as plain data (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    INTEGRATION = "integration"  # a channel's integration: its own channel only
    STORE_STAFF = "store_staff"  # staff of given locations
    ANALYST = "analyst"  # read-only


class Permission(StrEnum):
    CATALOG_READ = "catalog.read"
    CATALOG_WRITE = "catalog.write"
    PRICES_WRITE = "prices.write"
    CHANNELS_READ = "channels.read"
    CHANNELS_WRITE = "channels.write"
    CHANNEL_VIEW = "channel_view.read"
    REVIEWS_WRITE = "reviews.write"
    API_KEYS_MANAGE = "api_keys.manage"
    LOCATIONS_READ = "locations.read"
    LOCATIONS_WRITE = "locations.write"
    STOCK_READ = "stock.read"
    STOCK_WRITE = "stock.write"
    STOCK_SYNC = "stock.sync"
    RESERVATIONS_WRITE = "reservations.write"
    TRANSFERS_WRITE = "transfers.write"
    REPLENISHMENT_READ = "replenishment.read"


_READ = {Permission.CATALOG_READ, Permission.CHANNELS_READ, Permission.CHANNEL_VIEW, Permission.LOCATIONS_READ, Permission.STOCK_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # A channel's integration reserves for its carts and orders and may feed stock from a legacy POS/ERP.
    Role.INTEGRATION: frozenset(_READ | {Permission.REVIEWS_WRITE, Permission.RESERVATIONS_WRITE, Permission.STOCK_SYNC}),
    # Store staff run their own locations' stock: receive, count, adjust, transfer, reserve for a customer.
    Role.STORE_STAFF: frozenset(
        _READ
        | {
            Permission.REVIEWS_WRITE,
            Permission.STOCK_WRITE,
            Permission.RESERVATIONS_WRITE,
            Permission.TRANSFERS_WRITE,
            Permission.REPLENISHMENT_READ,
        }
    ),
    Role.ANALYST: frozenset(_READ | {Permission.REPLENISHMENT_READ}),
}


@dataclass(frozen=True)
class Principal:
    """The caller behind an API key (or, later, a staff login)."""

    key_id: str
    role: Role
    channel_code: str | None = None
    location_codes: frozenset[str] = field(default_factory=frozenset)

    def has(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def may_use_channel(self, code: str) -> bool:
        """Integrations are bound to one channel; every other role sees all channels."""
        return self.role is not Role.INTEGRATION or self.channel_code == code

    def may_use_location(self, code: str) -> bool:
        return self.role is not Role.STORE_STAFF or code in self.location_codes
