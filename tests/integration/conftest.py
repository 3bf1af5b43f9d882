"""API-level fixtures: an HTTP client over the real app, keys for every role, a small catalog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from support.api import make_key, ok
from tvers.bootstrap import Tvers
from tvers.channels.access import Role
from tvers.web.app import create_app


@pytest.fixture
def client(tvers: Tvers) -> Iterator[TestClient]:
    with TestClient(create_app(tvers, run_relay=False), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def admin(tvers: Tvers) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(tvers, Role.ADMIN)}"}


@pytest.fixture
def shop(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """A NOK price book, a Norwegian web channel and one published, priced, translated product."""
    ok(client.post("/api/v1/price-books", json={"code": "nok", "name": "NOK", "currency": "NOK"}, headers=admin))
    ok(client.post("/api/v1/channels", headers=admin, json={
        "code": "web-no", "name": "Web NO", "type": "web", "currency": "NOK", "price_book": "nok",
        "default_locale": "nb", "country": "NO"}))
    product = ok(client.post("/api/v1/products", headers=admin, json={
        "handle": "trolltind-jacket", "title": "Trolltind Jacket", "status": "active", "brand": "Fjellrev",
        "category": "apparel/jackets", "tags": ["waterproof"],
        "variants": [{"sku": "TT-RED-M", "gtin": "4006381333931", "options": {"colour": "Red", "size": "M"}},
                     {"sku": "TT-RED-L", "options": {"colour": "Red", "size": "L"}}],
        "translations": {"nb": {"title": "Trolltind Jakke", "option_values": {"Red": "Rød"}}}}))
    ok(client.post("/api/v1/price-books/nok/prices/bulk", headers=admin, json={"rows": [
        {"sku": "TT-RED-M", "amount": "1299.00", "compare_at": "1599.00"}, {"sku": "TT-RED-L", "amount": "1299.00"}]}))
    ok(client.put(f"/api/v1/channels/web-no/listings/{product['id']}", headers=admin, json={"is_published": True}))
    return {"product_id": product["id"]}
