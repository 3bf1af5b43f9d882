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
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    CUSTOMERS_RESOLVE = "customers.resolve"
    CUSTOMERS_MERGE = "customers.merge"
    CUSTOMERS_EXPORT = "customers.export"
    CUSTOMERS_ERASE = "customers.erase"
    CONSENTS_WRITE = "consents.write"
    LOYALTY_MANAGE = "loyalty.manage"
    STORE_CREDIT_MANAGE = "store_credit.manage"
    GIFT_CARDS_MANAGE = "gift_cards.manage"
    TENDERS_REDEEM = "tenders.redeem"
    CARTS_READ = "carts.read"
    CARTS_WRITE = "carts.write"
    PRICING_READ = "pricing.read"  # quotes: a price breakdown any channel can show
    PROMOTIONS_WRITE = "promotions.write"  # promotions, coupons, shipping rates
    CHECKOUT = "checkout.place"  # carts → orders, direct orders
    ORDERS_READ = "orders.read"
    ORDERS_MANAGE = "orders.manage"  # cancel, edit, hold, release
    PAYMENTS_READ = "payments.read"
    PAYMENTS_MANAGE = "payments.manage"  # capture, void, refund outside a workflow
    FULFILMENT_READ = "fulfillment.read"  # tasks, pick lists, the live store queue
    FULFILMENT_WRITE = "fulfillment.write"  # move tasks: accept, pick, pack, ship, hand over, reject, receive
    CURBSIDE_ARRIVE = "fulfillment.arrive"  # the customer's app says they are outside
    RETURNS_READ = "returns.read"  # returns and their refunds
    RETURNS_WRITE = "returns.write"  # ask for a return; receive one (store staff at their own locations)
    REFUNDS_ISSUE = "refunds.issue"  # money back without a return (goodwill, price adjustment): admins and store staff
    RETURN_POLICIES_MANAGE = "return_policies.manage"  # windows, final sale, fees per channel and category
    NOTIFICATIONS_READ = "notifications.read"  # the messages sent to customers and stores (they hold contact details)


_READ = {Permission.CATALOG_READ, Permission.CHANNELS_READ, Permission.CHANNEL_VIEW, Permission.LOCATIONS_READ, Permission.STOCK_READ,
         Permission.PRICING_READ}
# A channel's integration reserves for its carts and orders, may feed stock from a legacy POS/ERP, and brings
# arrivals, consents, carts and tenders of its own channel; it never browses customers.
_CHANNEL = {Permission.RESERVATIONS_WRITE, Permission.STOCK_SYNC, Permission.CUSTOMERS_RESOLVE, Permission.CONSENTS_WRITE,
            Permission.TENDERS_REDEEM, Permission.CARTS_READ, Permission.CARTS_WRITE, Permission.CHECKOUT, Permission.ORDERS_READ,
            Permission.ORDERS_MANAGE, Permission.PAYMENTS_READ, Permission.CURBSIDE_ARRIVE, Permission.RETURNS_READ,
            Permission.RETURNS_WRITE}
# Store staff run their own locations' stock (receive, count, adjust, transfer, reserve for a customer) and find and
# serve any customer (merging duplicates they spot); export and erasure stay with admins.
_STORE = {Permission.STOCK_WRITE, Permission.RESERVATIONS_WRITE, Permission.TRANSFERS_WRITE, Permission.REPLENISHMENT_READ,
          Permission.CUSTOMERS_RESOLVE, Permission.CONSENTS_WRITE, Permission.TENDERS_REDEEM, Permission.CARTS_READ,
          Permission.CARTS_WRITE, Permission.CUSTOMERS_READ, Permission.CUSTOMERS_WRITE, Permission.CUSTOMERS_MERGE,
          Permission.STORE_CREDIT_MANAGE, Permission.CHECKOUT, Permission.ORDERS_READ, Permission.ORDERS_MANAGE,
          Permission.PAYMENTS_READ, Permission.FULFILMENT_READ, Permission.FULFILMENT_WRITE, Permission.CURBSIDE_ARRIVE,
          Permission.RETURNS_READ, Permission.RETURNS_WRITE, Permission.REFUNDS_ISSUE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.INTEGRATION: frozenset(_READ | {Permission.REVIEWS_WRITE} | _CHANNEL),
    Role.STORE_STAFF: frozenset(_READ | {Permission.REVIEWS_WRITE} | _STORE),
    Role.ANALYST: frozenset(_READ | {Permission.REPLENISHMENT_READ, Permission.ORDERS_READ, Permission.PAYMENTS_READ,
                                     Permission.FULFILMENT_READ, Permission.RETURNS_READ}),
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
