"""Customer use cases; each takes the unit of work and never commits."""

from tvers.customers.service.consents import consent_history, current_consents, record_consent
from tvers.customers.service.gift_cards import (
    check_gift_card,
    check_gift_card_ledgers,
    get_gift_card,
    gift_card_entries,
    issue_gift_card,
    redeem_gift_card,
    refund_to_gift_card,
    void_gift_card,
)
from tvers.customers.service.identities import add_identity, find_by_identity, lookup_customer_id, remove_identity
from tvers.customers.service.importing import ImportedCustomer, PastOrder, import_customers
from tvers.customers.service.loyalty import (
    adjust_points,
    check_points_ledgers,
    customer_tier,
    earn_for_order,
    expire_points,
    get_programme,
    loyalty_summary,
    points_history,
    redeem_points,
    restore_points,
    reverse_order_points,
    set_programme,
    tier_benefits,
)
from tvers.customers.service.merging import AUTOMATIC, list_merges, merge_customers
from tvers.customers.service.privacy import erase_customer, export_customer
from tvers.customers.service.profiles import (
    active_customer_id,
    add_address,
    create_customer,
    get_customer,
    search_customers,
    update_customer,
)
from tvers.customers.service.resolution import resolve
from tvers.customers.service.store_credit import (
    check_store_credit_ledgers,
    issue_store_credit,
    redeem_store_credit,
    restore_store_credit,
    store_credit_of,
)
from tvers.customers.service.view import customer_view, timeline

__all__ = [
    "AUTOMATIC",
    "ImportedCustomer",
    "PastOrder",
    "active_customer_id",
    "add_address",
    "add_identity",
    "adjust_points",
    "check_gift_card",
    "check_gift_card_ledgers",
    "check_points_ledgers",
    "check_store_credit_ledgers",
    "consent_history",
    "create_customer",
    "current_consents",
    "customer_tier",
    "customer_view",
    "earn_for_order",
    "erase_customer",
    "expire_points",
    "export_customer",
    "find_by_identity",
    "get_customer",
    "get_gift_card",
    "get_programme",
    "import_customers",
    "gift_card_entries",
    "issue_gift_card",
    "issue_store_credit",
    "list_merges",
    "lookup_customer_id",
    "loyalty_summary",
    "merge_customers",
    "points_history",
    "record_consent",
    "redeem_gift_card",
    "redeem_points",
    "redeem_store_credit",
    "refund_to_gift_card",
    "remove_identity",
    "resolve",
    "restore_points",
    "restore_store_credit",
    "reverse_order_points",
    "search_customers",
    "set_programme",
    "store_credit_of",
    "tier_benefits",
    "timeline",
    "update_customer",
    "void_gift_card",
]
