"""Least privilege, route by route: every /api/v1 route declares one permission, and each role gets exactly its share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select

from support.api import bearer, make_key, ok, problem
from tvers.channels.access import Permission, Role
from tvers.db.outbox import OutboxEvent
from tvers.web.app import create_app

ADMIN, INTEGRATION, STAFF, ANALYST = "admin", "integration", "store_staff", "analyst"
EVERYONE = frozenset({ADMIN, INTEGRATION, STAFF, ANALYST})
ONLY_ADMIN = frozenset({ADMIN})
REVIEWERS = RESERVERS = frozenset({ADMIN, INTEGRATION, STAFF})
STORE = frozenset({ADMIN, STAFF})  # stock and transfers at the staff's own locations
SYNCERS = frozenset({ADMIN, INTEGRATION})
PLANNERS = frozenset({ADMIN, STAFF, ANALYST})
STAFF_AND_ADMIN = frozenset({ADMIN, STAFF})  # customers: find and serve any, merge duplicates
CHANNEL_CALLERS = frozenset({ADMIN, INTEGRATION, STAFF})  # arrivals, consents, tenders and carts of a channel

# (method, path template) → the roles allowed. Written out by hand on purpose: a route added to the app
# fails this test until someone decides here who may use it.
TABLE: dict[tuple[str, str], frozenset[str]] = {
    # catalog
    ("POST", "/api/v1/products"): ONLY_ADMIN,
    ("GET", "/api/v1/products"): EVERYONE,
    ("GET", "/api/v1/products/{product_id}"): EVERYONE,
    ("PATCH", "/api/v1/products/{product_id}"): ONLY_ADMIN,
    ("POST", "/api/v1/products/{product_id}/archive"): ONLY_ADMIN,
    ("POST", "/api/v1/products/{product_id}/variants"): ONLY_ADMIN,
    ("PATCH", "/api/v1/variants/{variant_id}"): ONLY_ADMIN,
    ("POST", "/api/v1/variants/bulk"): ONLY_ADMIN,
    ("POST", "/api/v1/products/{product_id}/reviews"): REVIEWERS,
    ("GET", "/api/v1/products/{product_id}/reviews"): EVERYONE,
    # prices
    ("POST", "/api/v1/price-books"): ONLY_ADMIN,
    ("GET", "/api/v1/price-books"): EVERYONE,
    ("GET", "/api/v1/price-books/{code}"): EVERYONE,
    ("PUT", "/api/v1/price-books/{code}/prices/{sku}"): ONLY_ADMIN,
    ("POST", "/api/v1/price-books/{code}/prices/bulk"): ONLY_ADMIN,
    # channels
    ("POST", "/api/v1/channels"): ONLY_ADMIN,
    ("GET", "/api/v1/channels"): EVERYONE,
    ("GET", "/api/v1/channels/{code}"): EVERYONE,
    ("PATCH", "/api/v1/channels/{code}"): ONLY_ADMIN,
    ("PUT", "/api/v1/channels/{code}/listings/{product_id}"): ONLY_ADMIN,
    ("POST", "/api/v1/channels/{code}/listings/bulk"): ONLY_ADMIN,
    ("GET", "/api/v1/channels/{code}/products"): EVERYONE,
    ("GET", "/api/v1/channels/{code}/products/{product_id}"): EVERYONE,
    # access
    ("POST", "/api/v1/api-keys"): ONLY_ADMIN,
    ("GET", "/api/v1/api-keys"): ONLY_ADMIN,
    ("POST", "/api/v1/api-keys/{key_id}/revoke"): ONLY_ADMIN,
    # locations and channel stock pools
    ("POST", "/api/v1/locations"): ONLY_ADMIN,
    ("GET", "/api/v1/locations"): EVERYONE,
    ("GET", "/api/v1/locations/{code}"): EVERYONE,
    ("PATCH", "/api/v1/locations/{code}"): ONLY_ADMIN,
    ("PUT", "/api/v1/channels/{code}/stock-pool"): ONLY_ADMIN,
    ("GET", "/api/v1/channels/{code}/stock-pool"): EVERYONE,
    # stock
    ("GET", "/api/v1/stock/{sku:path}"): EVERYONE,
    ("GET", "/api/v1/channels/{code}/availability"): EVERYONE,
    ("GET", "/api/v1/availability/nearest"): EVERYONE,
    ("POST", "/api/v1/stock/receipts"): STORE,
    ("POST", "/api/v1/stock/adjustments"): STORE,
    ("POST", "/api/v1/stock/counts"): STORE,
    ("POST", "/api/v1/stock/write-offs"): STORE,
    ("PUT", "/api/v1/stock/settings"): STORE,
    ("POST", "/api/v1/stock/sync"): SYNCERS,
    ("GET", "/api/v1/stock-movements"): EVERYONE,
    ("POST", "/api/v1/reservations"): RESERVERS,
    ("GET", "/api/v1/reservations/{reservation_id}"): EVERYONE,
    ("POST", "/api/v1/reservations/{reservation_id}/release"): RESERVERS,
    ("POST", "/api/v1/reservations/{reservation_id}/consume"): STORE,
    ("GET", "/api/v1/replenishment/suggestions"): PLANNERS,
    ("POST", "/api/v1/replenishment/reorder-points"): STORE,
    # transfers
    ("POST", "/api/v1/transfers"): STORE,
    ("GET", "/api/v1/transfers/{transfer_id}"): EVERYONE,
    ("POST", "/api/v1/transfers/{transfer_id}/ship"): STORE,
    ("POST", "/api/v1/transfers/{transfer_id}/receive"): STORE,
    ("POST", "/api/v1/transfers/{transfer_id}/cancel"): STORE,
    # customers, loyalty, gift cards, store credit, carts
    ("POST", "/api/v1/customers"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers/lookup"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}"): STAFF_AND_ADMIN,
    ("PATCH", "/api/v1/customers/{customer_id}"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/identities"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/addresses"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/resolve"): CHANNEL_CALLERS,
    ("POST", "/api/v1/customers/{customer_id}/merges"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}/merges"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/consents"): CHANNEL_CALLERS,
    ("GET", "/api/v1/customers/{customer_id}/consents"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}/consents/history"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}/export"): ONLY_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/erase"): ONLY_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}/view"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/loyalty/programme"): STAFF_AND_ADMIN,
    ("PUT", "/api/v1/loyalty/programme"): ONLY_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}/loyalty"): STAFF_AND_ADMIN,
    ("GET", "/api/v1/customers/{customer_id}/loyalty/points"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/loyalty/adjustments"): ONLY_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/loyalty/redemptions"): CHANNEL_CALLERS,
    ("POST", "/api/v1/loyalty/redemptions/{reference}/restore"): CHANNEL_CALLERS,
    ("GET", "/api/v1/customers/{customer_id}/store-credit"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/store-credit"): STAFF_AND_ADMIN,
    ("POST", "/api/v1/customers/{customer_id}/store-credit/redemptions"): CHANNEL_CALLERS,
    ("POST", "/api/v1/store-credit/redemptions/{reference}/restore"): CHANNEL_CALLERS,
    ("POST", "/api/v1/gift-cards"): ONLY_ADMIN,
    ("GET", "/api/v1/gift-cards/{gift_card_id}"): ONLY_ADMIN,
    ("GET", "/api/v1/gift-cards/{gift_card_id}/entries"): ONLY_ADMIN,
    ("POST", "/api/v1/gift-cards/{gift_card_id}/void"): ONLY_ADMIN,
    ("POST", "/api/v1/gift-cards/balance"): CHANNEL_CALLERS,
    ("POST", "/api/v1/gift-cards/redemptions"): CHANNEL_CALLERS,
    ("POST", "/api/v1/gift-cards/{gift_card_id}/refunds"): CHANNEL_CALLERS,
    ("POST", "/api/v1/carts"): CHANNEL_CALLERS,
    ("GET", "/api/v1/carts/{cart_id}"): CHANNEL_CALLERS,
    ("POST", "/api/v1/carts/{cart_id}/lines"): CHANNEL_CALLERS,
    ("POST", "/api/v1/carts/claim"): CHANNEL_CALLERS,
    ("GET", "/api/v1/customers/{customer_id}/carts"): CHANNEL_CALLERS,
    # checkout and orders: every channel places and manages its orders; analysts read them
    ("POST", "/api/v1/checkout"): CHANNEL_CALLERS,
    ("POST", "/api/v1/orders"): CHANNEL_CALLERS,
    ("POST", "/api/v1/checkout/{order_id}/complete"): CHANNEL_CALLERS,
    ("POST", "/api/v1/test-card/3ds/{reference}"): CHANNEL_CALLERS,
    ("GET", "/api/v1/orders"): EVERYONE,
    ("GET", "/api/v1/orders/{order_id}"): EVERYONE,
    ("POST", "/api/v1/orders/{order_id}/cancel"): CHANNEL_CALLERS,
    ("POST", "/api/v1/orders/{order_id}/edit"): CHANNEL_CALLERS,
    ("POST", "/api/v1/orders/{order_id}/hold"): CHANNEL_CALLERS,
    ("POST", "/api/v1/orders/{order_id}/release"): CHANNEL_CALLERS,
    # promotions, coupons, shipping rates (merchandisers set up, everyone reads) and quotes (every channel prices)
    ("POST", "/api/v1/promotions"): ONLY_ADMIN,
    ("GET", "/api/v1/promotions"): EVERYONE,
    ("GET", "/api/v1/promotions/{promotion_id}"): EVERYONE,
    ("PATCH", "/api/v1/promotions/{promotion_id}"): ONLY_ADMIN,
    ("POST", "/api/v1/promotions/{promotion_id}/coupons"): ONLY_ADMIN,
    ("GET", "/api/v1/promotions/{promotion_id}/coupons"): EVERYONE,
    ("GET", "/api/v1/coupons/{code}"): EVERYONE,
    ("PATCH", "/api/v1/coupons/{code}"): ONLY_ADMIN,
    ("POST", "/api/v1/shipping-rates"): ONLY_ADMIN,
    ("GET", "/api/v1/shipping-rates"): EVERYONE,
    ("GET", "/api/v1/shipping-rates/{rate_id}"): EVERYONE,
    ("PATCH", "/api/v1/shipping-rates/{rate_id}"): ONLY_ADMIN,
    ("DELETE", "/api/v1/shipping-rates/{rate_id}"): ONLY_ADMIN,
    ("POST", "/api/v1/quotes"): EVERYONE,
    ("GET", "/api/v1/carts/{cart_id}/quote"): EVERYONE,
    # payments (an order's payments come with the order)
    ("GET", "/api/v1/payments/{payment_id}"): EVERYONE,
    # fulfilment: stores (and admins) work their tasks; analysts read; a channel's app says its customer has arrived
    ("GET", "/api/v1/fulfillment/tasks/{task_id}"): PLANNERS,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/accept"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/pick"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/pack"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/ready"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/arrived"): CHANNEL_CALLERS,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/hand-over"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/ship"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/reject"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/send"): STORE,
    ("POST", "/api/v1/fulfillment/tasks/{task_id}/receive"): STORE,
    ("POST", "/api/v1/shipments/{shipment_id}/delivered"): STORE,
    ("GET", "/api/v1/orders/{order_id}/fulfilment"): EVERYONE,
    ("POST", "/api/v1/orders/{order_id}/fulfilment/retry"): CHANNEL_CALLERS,
    ("POST", "/api/v1/orders/{order_id}/fulfilment/attention/{line_id}/cancel"): CHANNEL_CALLERS,
    ("GET", "/api/v1/stores/{code}/tasks"): PLANNERS,
    ("GET", "/api/v1/stores/{code}/pick-list"): PLANNERS,
    ("GET", "/api/v1/stores/{code}/tasks/stream"): PLANNERS,
    # returns: a channel's integration asks for returns of its own orders; stores receive at their own locations
    ("POST", "/api/v1/returns"): CHANNEL_CALLERS,
    ("GET", "/api/v1/returns/{return_id}"): EVERYONE,
    ("POST", "/api/v1/returns/{return_id}/receive"): CHANNEL_CALLERS,
    ("GET", "/api/v1/orders/{order_id}/returns"): EVERYONE,
    ("POST", "/api/v1/orders/{order_id}/refunds"): STORE,  # money back without a return: admins and store staff
    # receipt-less returns: found through the customer's profile (an integration: its own channel's sales)
    ("POST", "/api/v1/returns/receiptless"): CHANNEL_CALLERS,
    ("GET", "/api/v1/customers/{customer_id}/returnable"): EVERYONE,
    ("GET", "/api/v1/customers/{customer_id}/returns"): EVERYONE,
    ("GET", "/api/v1/return-authorisations/{number}"): EVERYONE,
    ("POST", "/api/v1/returns/{return_id}/cancel"): CHANNEL_CALLERS,
    ("POST", "/api/v1/returns/{return_id}/retry-refund"): CHANNEL_CALLERS,
    ("POST", "/api/v1/locations/{code}/returns/send-back"): STORE,  # a store sends its returned goods to a warehouse
    ("PUT", "/api/v1/return-policies"): ONLY_ADMIN,
    ("GET", "/api/v1/return-policies"): ONLY_ADMIN,
    # notifications hold customers' contact details and pickup codes: admins only
    ("GET", "/api/v1/notifications"): ONLY_ADMIN,
}

# Query parameters a GET needs to get past validation, so an allowed caller reaches the route itself.
QUERIES: dict[str, dict[str, str]] = {
    "/api/v1/channels/{code}/availability": {"skus": "TT-RED-M"},
    "/api/v1/availability/nearest": {"sku": "TT-RED-M", "lat": "59.91", "lon": "10.75"},
    "/api/v1/stores/{code}/tasks/stream": {"after": "-1"},  # refused by validation: a valid one would stream for ever
}
# Ids nothing has: an allowed caller gets a 404 from the route, never a change.
UNKNOWN = {"key_id": "key_01JD3V7Q0000000000000000AA", "reservation_id": "rsv_01JD3V7Q0000000000000000AA",
           "transfer_id": "trf_01JD3V7Q0000000000000000AA", "customer_id": "cus_01JD3V7Q0000000000000000AA",
           "gift_card_id": "gfc_01JD3V7Q0000000000000000AA", "cart_id": "crt_01JD3V7Q0000000000000000AA", "reference": "chk-unknown",
           "order_id": "ord_01JD3V7Q0000000000000000AA", "promotion_id": "prm_01JD3V7Q0000000000000000AA",
           "rate_id": "shr_01JD3V7Q0000000000000000AA", "payment_id": "pay_01JD3V7Q0000000000000000AA",
           "task_id": "ftk_01JD3V7Q0000000000000000AA", "shipment_id": "shp_01JD3V7Q0000000000000000AA",
           "line_id": "oln_01JD3V7Q0000000000000000AA", "return_id": "ret_01JD3V7Q0000000000000000AA",
           "number": "RMA-0000-0000"}
CODES = {"/api/v1/price-books": "nok", "/api/v1/locations": "oslo-1", "/api/v1/channels": "web-no", "/api/v1/coupons": "NO-SUCH-CODE",
         "/api/v1/stores": "oslo-1"}


def api_routes(tvers: Any) -> Iterator[tuple[str, str, Any]]:
    """(method, path, route) of every /api/v1 route the app serves.

    FastAPI 0.163 keeps included routers as `_IncludedRouter` entries in `app.routes`, so a plain
    `isinstance(route, APIRoute)` scan of `app.routes` finds none; `iter_route_contexts` flattens them,
    with the dependencies each route has once included.
    """
    for context in iter_route_contexts(create_app(tvers, run_relay=False).routes):
        if isinstance(context.original_route, APIRoute) and context.path.startswith("/api/v1"):
            for method in sorted(context.methods):
                yield method, context.path, context


def declared_permissions(dependant: Dependant) -> list[Permission]:
    """Every `requires(permission)` dependency anywhere under this dependant."""
    found = []
    for dependency in dependant.dependencies:
        permission = getattr(dependency.call, "permission", None)
        if permission is not None:
            found.append(permission)
        found.extend(declared_permissions(dependency))
    return found


def count_rows(tvers: Any, table: Any) -> int:
    with tvers.uow(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def send(client: Any, method: str, template: str, path: str, headers: dict[str, str]) -> Any:
    """Writes carry `{}`: an allowed caller is refused by validation (or gets a 404), so nothing changes."""
    if method in ("POST", "PUT", "PATCH"):
        return client.request(method, path, headers=headers, json={})
    return client.request(method, path, headers=headers, params=QUERIES.get(template, {}))


def fill(template: str, values: dict[str, str]) -> str:
    code = next(c for prefix, c in CODES.items() if template.startswith(prefix)) if "{code}" in template else ""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: code if m.group(1) == "code" else values[m.group(1)], template)


def reached_the_route(response: Any) -> bool:
    """Past authentication and authorisation, into the route, and no 5xx there."""
    code = response.json().get("code") if response.headers["content-type"].startswith("application/problem+json") else None
    return response.status_code not in (401, 403) and response.status_code < 500 and code not in ("route_not_found",
                                                                                                 "method_not_allowed")


def test_every_api_route_declares_exactly_one_permission(tvers):
    # given the real application's routes
    # when each route's dependencies are searched for `requires(...)`
    counts = {(method, path): len(declared_permissions(route.dependant)) for method, path, route in api_routes(tvers)}
    # then every /api/v1 route has exactly one, so a route added without one fails here
    assert counts, "no /api/v1 routes found"
    assert {route: n for route, n in counts.items() if n != 1} == {}


def test_the_expectation_table_covers_exactly_the_apps_routes(tvers):
    # given the routes the app serves
    served = {(method, path) for method, path, _ in api_routes(tvers)}
    # then the table names each of them, and nothing that is not served
    assert sorted(served - TABLE.keys()) == [], "routes missing from TABLE"
    assert sorted(TABLE.keys() - served) == [], "TABLE names routes the app does not serve"


def test_each_role_gets_exactly_its_routes(tvers, client, admin, shop):
    # given a key for every role, a missing key and two bad keys
    product = ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))
    values = {**UNKNOWN, "product_id": product["id"], "variant_id": product["variants"][0]["id"], "sku": "TT-RED-M"}
    admin_key = admin["Authorization"].removeprefix("Bearer ")
    roles = {ADMIN: admin,
             INTEGRATION: bearer(make_key(tvers, Role.INTEGRATION, channel="web-no")),
             STAFF: bearer(make_key(tvers, Role.STORE_STAFF, locations=["oslo-1"])),
             ANALYST: bearer(make_key(tvers, Role.ANALYST))}
    unauthenticated = {"no key": {}, "not a key": bearer("not-a-key"), "wrong secret": bearer(admin_key[:-4] + "AAAA"),
                       "basic scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="}}
    outbox_before, products_before = count_rows(tvers, OutboxEvent), ok(client.get("/api/v1/products", headers=admin))
    mismatches = []
    # when every route is called by every caller
    for method, template, _ in api_routes(tvers):
        allowed = TABLE.get((method, template), frozenset())
        path = fill(template, values)
        for caller, headers in unauthenticated.items():
            response = send(client, method, template, path, headers)
            if (response.status_code, response.json().get("code")) != (401, "invalid_api_key"):
                mismatches.append((method, template, caller, response.status_code, response.text[:200]))
            else:
                problem(response, 401, "invalid_api_key")
                assert response.headers["www-authenticate"] == "Bearer"
        for role, headers in roles.items():
            response = send(client, method, template, path, headers)
            if role not in allowed and (response.status_code, response.json().get("code")) == (403, "missing_permission"):
                problem(response, 403, "missing_permission")
            elif role not in allowed or not reached_the_route(response):
                mismatches.append((method, template, role, response.status_code, response.text[:200]))
    # then each caller got exactly what the table says, and no request changed anything
    assert mismatches == []
    assert count_rows(tvers, OutboxEvent) == outbox_before
    assert ok(client.get("/api/v1/products", headers=admin)) == products_before


def test_integration_key_is_confined_to_its_channel(tvers, client, admin, shop):
    # given a Swedish channel beside the Norwegian one, and an integration key for the Norwegian one
    ok(client.post("/api/v1/price-books", headers=admin, json={"code": "sek", "name": "SEK", "currency": "SEK"}))
    ok(client.post("/api/v1/channels", headers=admin, json={
        "code": "web-se", "name": "Web SE", "type": "web", "currency": "SEK", "price_book": "sek",
        "default_locale": "sv", "country": "SE"}))
    ok(client.put(f"/api/v1/channels/web-se/listings/{shop['product_id']}", headers=admin, json={"is_published": True}))
    web_no = bearer(make_key(tvers, Role.INTEGRATION, channel="web-no"))
    # when it reads the other channel, then it is refused
    problem(client.get("/api/v1/channels/web-se", headers=web_no), 403, "outside_scope")
    problem(client.get("/api/v1/channels/web-se/products", headers=web_no), 403, "outside_scope")
    problem(client.get(f"/api/v1/channels/web-se/products/{shop['product_id']}", headers=web_no), 403, "outside_scope")
    # and its own channel is open to it
    assert ok(client.get("/api/v1/channels/web-no", headers=web_no))["code"] == "web-no"
    assert [p["id"] for p in ok(client.get("/api/v1/channels/web-no/products", headers=web_no))["items"]] == [shop["product_id"]]
    # and the channel list shows it only its own channel, while an admin sees both
    assert [c["code"] for c in ok(client.get("/api/v1/channels", headers=web_no))] == ["web-no"]
    assert [c["code"] for c in ok(client.get("/api/v1/channels", headers=admin))] == ["web-no", "web-se"]


def test_integration_key_cannot_review_for_another_channel(tvers, client, admin, shop):
    # given a Swedish channel and an integration key for the Norwegian one
    ok(client.post("/api/v1/price-books", headers=admin, json={"code": "sek", "name": "SEK", "currency": "SEK"}))
    ok(client.post("/api/v1/channels", headers=admin, json={
        "code": "web-se", "name": "Web SE", "type": "web", "currency": "SEK", "price_book": "sek",
        "default_locale": "sv", "country": "SE"}))
    web_no = bearer(make_key(tvers, Role.INTEGRATION, channel="web-no"))
    outbox_before = count_rows(tvers, OutboxEvent)
    # when it posts a review in the Swedish channel's name
    response = client.post(f"/api/v1/products/{shop['product_id']}/reviews", headers=web_no,
                           json={"rating": 5, "author_name": "Kari", "channel": "web-se"})
    # then it is refused and no review or event was written
    problem(response, 403, "outside_scope")
    assert ok(client.get(f"/api/v1/products/{shop['product_id']}/reviews", headers=admin))["items"] == []
    assert count_rows(tvers, OutboxEvent) == outbox_before


def test_revoked_key_is_refused(tvers, client, admin, shop):
    # given an analyst key that works
    key = make_key(tvers, Role.ANALYST)
    ok(client.get("/api/v1/products", headers=bearer(key)))
    prefix = key.split("_")[1]
    key_id = next(k["id"] for k in ok(client.get("/api/v1/api-keys", headers=admin)) if k["prefix"] == prefix)
    # when an admin revokes it
    revoked = ok(client.post(f"/api/v1/api-keys/{key_id}/revoke", headers=admin))
    # then it is marked revoked, and refused from then on
    assert revoked["revoked_at"] is not None
    problem(client.get("/api/v1/products", headers=bearer(key)), 401, "invalid_api_key")
    problem(client.get("/api/v1/channels/web-no/products", headers=bearer(key)), 401, "invalid_api_key")
    # and the admin key itself still works
    ok(client.get("/api/v1/products", headers=admin))
