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
REVIEWERS = frozenset({ADMIN, INTEGRATION, STAFF})
STAFF_AND_ADMIN = frozenset({ADMIN, STAFF})
CHANNEL_CALLERS = frozenset({ADMIN, INTEGRATION, STAFF})

# (method, path template) → (roles allowed, the status an allowed caller gets for the request this test sends).
# Writes are sent `{}` (or an unknown id), so an allowed caller is refused by validation and nothing changes.
TABLE: dict[tuple[str, str], tuple[frozenset[str], int]] = {
    ("POST", "/api/v1/products"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/products"): (EVERYONE, 200),
    ("GET", "/api/v1/products/{product_id}"): (EVERYONE, 200),
    ("PATCH", "/api/v1/products/{product_id}"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/products/{product_id}/archive"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/products/{product_id}/variants"): (ONLY_ADMIN, 422),
    ("PATCH", "/api/v1/variants/{variant_id}"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/variants/bulk"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/products/{product_id}/reviews"): (REVIEWERS, 422),
    ("GET", "/api/v1/products/{product_id}/reviews"): (EVERYONE, 200),
    ("POST", "/api/v1/price-books"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/price-books"): (EVERYONE, 200),
    ("GET", "/api/v1/price-books/{code}"): (EVERYONE, 200),
    ("PUT", "/api/v1/price-books/{code}/prices/{sku}"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/price-books/{code}/prices/bulk"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/channels"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/channels"): (EVERYONE, 200),
    ("GET", "/api/v1/channels/{code}"): (EVERYONE, 200),
    ("PATCH", "/api/v1/channels/{code}"): (ONLY_ADMIN, 422),
    ("PUT", "/api/v1/channels/{code}/listings/{product_id}"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/channels/{code}/listings/bulk"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/channels/{code}/products"): (EVERYONE, 200),
    ("GET", "/api/v1/channels/{code}/products/{product_id}"): (EVERYONE, 200),
    ("POST", "/api/v1/api-keys"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/api-keys"): (ONLY_ADMIN, 200),
    ("POST", "/api/v1/api-keys/{key_id}/revoke"): (ONLY_ADMIN, 404),
    # customers (issue 4): staff serve any customer; integrations bring their channel's arrivals; export/erase are admin's
    ("POST", "/api/v1/customers"): (STAFF_AND_ADMIN, 422),
    ("GET", "/api/v1/customers"): (STAFF_AND_ADMIN, 200),
    ("GET", "/api/v1/customers/lookup"): (STAFF_AND_ADMIN, 422),
    ("GET", "/api/v1/customers/{customer_id}"): (STAFF_AND_ADMIN, 404),
    ("PATCH", "/api/v1/customers/{customer_id}"): (STAFF_AND_ADMIN, 422),
    ("POST", "/api/v1/customers/{customer_id}/identities"): (STAFF_AND_ADMIN, 422),
    ("POST", "/api/v1/customers/{customer_id}/addresses"): (STAFF_AND_ADMIN, 422),
    ("POST", "/api/v1/customers/resolve"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/customers/{customer_id}/merges"): (STAFF_AND_ADMIN, 422),
    ("GET", "/api/v1/customers/{customer_id}/merges"): (STAFF_AND_ADMIN, 404),
    ("POST", "/api/v1/customers/{customer_id}/consents"): (CHANNEL_CALLERS, 422),
    ("GET", "/api/v1/customers/{customer_id}/consents"): (STAFF_AND_ADMIN, 404),
    ("GET", "/api/v1/customers/{customer_id}/consents/history"): (STAFF_AND_ADMIN, 404),
    ("GET", "/api/v1/customers/{customer_id}/export"): (ONLY_ADMIN, 404),
    ("POST", "/api/v1/customers/{customer_id}/erase"): (ONLY_ADMIN, 404),
    ("GET", "/api/v1/customers/{customer_id}/view"): (STAFF_AND_ADMIN, 404),
    ("GET", "/api/v1/loyalty/programme"): (STAFF_AND_ADMIN, 200),
    ("PUT", "/api/v1/loyalty/programme"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/customers/{customer_id}/loyalty"): (STAFF_AND_ADMIN, 404),
    ("GET", "/api/v1/customers/{customer_id}/loyalty/points"): (STAFF_AND_ADMIN, 404),
    ("POST", "/api/v1/customers/{customer_id}/loyalty/adjustments"): (ONLY_ADMIN, 422),
    ("POST", "/api/v1/customers/{customer_id}/loyalty/redemptions"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/loyalty/redemptions/{reference}/restore"): (CHANNEL_CALLERS, 404),
    ("GET", "/api/v1/customers/{customer_id}/store-credit"): (STAFF_AND_ADMIN, 404),
    ("POST", "/api/v1/customers/{customer_id}/store-credit"): (STAFF_AND_ADMIN, 422),
    ("POST", "/api/v1/customers/{customer_id}/store-credit/redemptions"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/store-credit/redemptions/{reference}/restore"): (CHANNEL_CALLERS, 404),
    ("POST", "/api/v1/gift-cards"): (ONLY_ADMIN, 422),
    ("GET", "/api/v1/gift-cards/{gift_card_id}"): (ONLY_ADMIN, 404),
    ("GET", "/api/v1/gift-cards/{gift_card_id}/entries"): (ONLY_ADMIN, 404),
    ("POST", "/api/v1/gift-cards/{gift_card_id}/void"): (ONLY_ADMIN, 404),
    ("POST", "/api/v1/gift-cards/balance"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/gift-cards/redemptions"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/gift-cards/{gift_card_id}/refunds"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/carts"): (CHANNEL_CALLERS, 422),
    ("GET", "/api/v1/carts/{cart_id}"): (CHANNEL_CALLERS, 404),
    ("POST", "/api/v1/carts/{cart_id}/lines"): (CHANNEL_CALLERS, 422),
    ("POST", "/api/v1/carts/claim"): (CHANNEL_CALLERS, 422),
    ("GET", "/api/v1/customers/{customer_id}/carts"): (CHANNEL_CALLERS, 404),
}


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


def send(client: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    if method in ("POST", "PUT", "PATCH"):
        return client.request(method, path, headers=headers, json={})
    return client.request(method, path, headers=headers)


def fill(path: str, values: dict[str, str]) -> str:
    code = "nok" if path.startswith("/api/v1/price-books") else "web-no"
    return re.sub(r"\{(\w+)\}", lambda m: code if m.group(1) == "code" else values[m.group(1)], path)


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
    values = {"product_id": product["id"], "variant_id": product["variants"][0]["id"], "sku": "TT-RED-M",
              "key_id": "key_01JD3V7Q0000000000000000AA", "customer_id": "cus_01JD3V7Q0000000000000000AA",
              "gift_card_id": "gfc_01JD3V7Q0000000000000000AA", "cart_id": "crt_01JD3V7Q0000000000000000AA", "reference": "chk-unknown"}
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
        allowed, allowed_status = TABLE[(method, template)]
        path = fill(template, values)
        for caller, headers in unauthenticated.items():
            response = send(client, method, path, headers)
            if (response.status_code, response.json().get("code")) != (401, "invalid_api_key"):
                mismatches.append((method, template, caller, response.status_code, response.text[:200]))
            else:
                problem(response, 401, "invalid_api_key")
                assert response.headers["www-authenticate"] == "Bearer"
        for role, headers in roles.items():
            response = send(client, method, path, headers)
            expected = (allowed_status, None) if role in allowed else (403, "missing_permission")
            got = (response.status_code, response.json().get("code") if role not in allowed else None)
            if got != expected:
                mismatches.append((method, template, role, response.status_code, response.text[:200]))
            elif role not in allowed:
                problem(response, 403, "missing_permission")
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
