"""The catalog over HTTP: products and variants, search, paging, channel views, reviews and idempotent creates."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from support.api import bearer, make_key, ok, problem
from tvers.channels.access import Role
from tvers.db.outbox import OutboxEvent

JACKET = "/api/v1/channels/web-no/products/{}"


def outbox_count(tvers: Any) -> int:
    with tvers.uow(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxEvent)) or 0


def create(client: Any, admin: dict[str, str], handle: str, **fields: Any) -> dict[str, Any]:
    body = {"handle": handle, "title": handle.replace("-", " ").title(), **fields}
    response = client.post("/api/v1/products", headers=admin, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def handles(client: Any, admin: dict[str, str], **params: Any) -> list[str]:
    page = ok(client.get("/api/v1/products", params={"limit": 200, **params}, headers=admin))
    return sorted(p["handle"] for p in page["items"])


def publish(client: Any, admin: dict[str, str], product_id: str, **overrides: Any) -> None:
    ok(client.put(f"/api/v1/channels/web-no/listings/{product_id}", headers=admin, json={"is_published": True, **overrides}))


# --- products and variants -------------------------------------------------------------------------------------------

def test_created_product_reads_back_with_gtin_14(client, admin):
    # when a product is created with an EAN-13 on one variant
    created = create(client, admin, "fjord-cap", brand="Fjellrev", category="apparel/caps", tags=["wool"],
                     attributes={"material": "wool", "layers": 2, "recycled": True},
                     variants=[{"sku": "FC-1", "gtin": "4006381333931", "options": {"size": "M"}, "weight_grams": 120},
                               {"sku": "FC-2"}],
                     translations={"nb": {"title": "Fjordlue"}})
    # then it reads back exactly as created, the GTIN in its 14-digit form
    read = ok(client.get(f"/api/v1/products/{created['id']}", headers=admin))
    assert read == created
    assert (read["status"], read["version"], read["tax_class"]) == ("draft", 1, "standard")
    assert [(v["sku"], v["gtin"], v["options"], v["weight_grams"]) for v in read["variants"]] == [
        ("FC-1", "04006381333931", {"size": "M"}, 120), ("FC-2", None, {}, None)]
    assert read["attributes"] == {"material": "wool", "layers": 2, "recycled": True}
    assert read["translations"] == {"nb": {"title": "Fjordlue", "description": None, "option_values": {}}}


def test_unknown_product_is_a_404(client, admin):
    problem(client.get("/api/v1/products/prd_01JD3V7Q0000000000000000AA", headers=admin), 404, "product_not_found")


def test_update_increments_the_version(tvers, client, admin, shop):
    # given the shop's product at version 1
    events_before = outbox_count(tvers)
    # when it is updated twice, each time with the version just read
    first = ok(client.patch(f"/api/v1/products/{shop['product_id']}", headers=admin,
                            json={"version": 1, "title": "Trolltind Shell", "tags": ["waterproof", "shell"]}))
    second = ok(client.patch(f"/api/v1/products/{shop['product_id']}", headers=admin, json={"version": 2, "brand": "Nordlys"}))
    # then each update bumps the version, keeps what it did not touch, and records one event
    assert (first["version"], first["title"], first["tags"]) == (2, "Trolltind Shell", ["waterproof", "shell"])
    assert (second["version"], second["title"], second["brand"]) == (3, "Trolltind Shell", "Nordlys")
    assert ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin)) == second
    assert outbox_count(tvers) == events_before + 2


def test_archived_product_leaves_the_channel_but_stays_readable(client, admin, shop):
    # when the shop's product is archived
    archived = ok(client.post(f"/api/v1/products/{shop['product_id']}/archive", headers=admin, json={"version": 1}))
    # then it is gone from the channel, and still readable in the back office
    assert (archived["status"], archived["version"]) == ("archived", 2)
    problem(client.get(JACKET.format(shop["product_id"]), headers=admin), 404, "product_not_found")
    assert ok(client.get("/api/v1/channels/web-no/products", headers=admin))["items"] == []
    assert ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))["status"] == "archived"
    # and it takes no new variants
    problem(client.post(f"/api/v1/products/{shop['product_id']}/variants", headers=admin, json={"sku": "TT-RED-S"}),
            409, "product_archived")


def test_cursor_pagination_walks_every_product_once(client, admin):
    # given seven products
    created = {create(client, admin, f"product-{i}")["id"] for i in range(7)}
    # when they are read three at a time, following next_cursor
    pages, cursor = [], None
    while True:
        params = {"limit": 3} if cursor is None else {"limit": 3, "after": cursor}
        page = ok(client.get("/api/v1/products", params=params, headers=admin))
        pages.append([p["id"] for p in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # then there are three pages, in id order, holding each product exactly once
    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [pid for page in pages for pid in page]
    assert seen == sorted(created)


def test_full_last_page_has_no_next_cursor(client, admin):
    for i in range(3):
        create(client, admin, f"product-{i}")
    page = ok(client.get("/api/v1/products", params={"limit": 3}, headers=admin))
    assert (len(page["items"]), page["next_cursor"]) == (3, None)


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/channels/web-no/products", "/api/v1/products/{}/reviews"])
def test_invalid_cursor_is_refused(client, admin, shop, path):
    response = client.get(path.format(shop["product_id"]), params={"after": "not-a-cursor"}, headers=admin)
    body = problem(response, 422, "invalid_cursor")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("after", "invalid_cursor")]


@pytest.mark.parametrize("cursor", ["!!!!", "cHJk"])  # base64 of "" (junk dropped) and of "prd"
def test_cursor_that_is_not_an_id_is_refused(client, admin, shop, cursor):
    problem(client.get("/api/v1/products", params={"after": cursor}, headers=admin), 422, "invalid_cursor")


@pytest.fixture
def assortment(client, admin, shop):
    """Beside the shop's jacket: products that differ by status, brand, category, tags and non-ASCII text."""
    create(client, admin, "aerfugl-parka", title="Ærfugl Parka", status="active", brand="Nordlys", category="apparel",
           tags=["down"], variants=[{"sku": "AP-1", "gtin": "96385074"}])
    create(client, admin, "strasse-sko", title="Straße Sko", status="draft", brand="Fjellrev", category="footwear/boots",
           tags=["water-resistant"])
    create(client, admin, "kids-jacket", title="Kids Jacket", status="active", category="apparel-kids/jackets", tags=["Waterproof"])
    return shop


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "jakke"}, ["trolltind-jacket"]),                  # a translation's title is searched
    ({"q": "TROLLTIND"}, ["trolltind-jacket"]),              # case-insensitive
    ({"q": "ærfugl"}, ["aerfugl-parka"]),                    # non-ASCII
    ({"q": "ÆRFUGL"}, ["aerfugl-parka"]),
    ({"q": "STRASSE"}, ["strasse-sko"]),                     # case folding, ß = ss
    ({"q": "jacket"}, ["kids-jacket", "trolltind-jacket"]),
    ({"q": "%"}, []),                                        # LIKE wildcards are literal
    ({"sku": "TT-RED-L"}, ["trolltind-jacket"]),
    ({"sku": "TT-RED"}, []),                                 # exact SKU only
    ({"gtin": "4006381333931"}, ["trolltind-jacket"]),       # EAN-13 finds the stored GTIN-14
    ({"gtin": "04006381333931"}, ["trolltind-jacket"]),
    ({"gtin": "96385074"}, ["aerfugl-parka"]),               # GTIN-8
    ({"status": "draft"}, ["strasse-sko"]),
    ({"status": "active"}, ["aerfugl-parka", "kids-jacket", "trolltind-jacket"]),
    ({"brand": "Fjellrev"}, ["strasse-sko", "trolltind-jacket"]),
    ({"category": "apparel"}, ["aerfugl-parka", "trolltind-jacket"]),  # a prefix by whole segments
    ({"category": "apparel/jackets"}, ["trolltind-jacket"]),
    ({"category": "footwear"}, ["strasse-sko"]),
    ({"tag": "waterproof"}, ["kids-jacket", "trolltind-jacket"]),     # tags match case-insensitively, whole tag only
    ({"tag": "water"}, []),
    ({"brand": "Fjellrev", "status": "active"}, ["trolltind-jacket"]),  # filters combine
    ({}, ["aerfugl-parka", "kids-jacket", "strasse-sko", "trolltind-jacket"]),
])
def test_list_filters(client, admin, assortment, params, expected):
    assert handles(client, admin, **params) == expected


def test_invalid_gtin_filter_is_refused(client, admin, shop):
    body = problem(client.get("/api/v1/products", params={"gtin": "4006381333932"}, headers=admin), 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("gtin", "invalid_gtin")]


def test_bulk_variant_upsert_creates_then_updates(tvers, client, admin, shop):
    # given two new SKUs for the shop's jacket
    rows = [{"product": "trolltind-jacket", "sku": "TT-BLUE-M", "gtin": "96385074", "options": {"colour": "Blue", "size": "M"}},
            {"product": "trolltind-jacket", "sku": "TT-BLUE-L", "options": {"colour": "Blue", "size": "L"}}]
    # when they are upserted, then upserted again with changes
    assert ok(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows})) == {"created": 2, "updated": 0}
    rows[1]["options"] = {"colour": "Navy", "size": "L"}
    rows[1]["weight_grams"] = 900
    assert ok(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows})) == {"created": 0, "updated": 2}
    # then the product has four variants, the last with the changed fields
    variants = ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))["variants"]
    assert [(v["sku"], v["gtin"], v["options"], v["weight_grams"]) for v in variants] == [
        ("TT-RED-M", "04006381333931", {"colour": "Red", "size": "M"}, None),
        ("TT-RED-L", None, {"colour": "Red", "size": "L"}, None),
        ("TT-BLUE-M", "00000096385074", {"colour": "Blue", "size": "M"}, None),
        ("TT-BLUE-L", None, {"colour": "Navy", "size": "L"}, 900),
    ]


def test_bulk_variant_upsert_can_move_a_gtin_between_variants(client, admin, shop):
    # given TT-RED-M holds a GTIN that should have been on TT-RED-L
    rows = [{"product": "trolltind-jacket", "sku": "TT-RED-M", "options": {"colour": "Red", "size": "M"}},
            {"product": "trolltind-jacket", "sku": "TT-RED-L", "gtin": "4006381333931", "options": {"colour": "Red", "size": "L"}}]
    # when one batch takes it off the one and puts it on the other
    assert ok(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows})) == {"created": 0, "updated": 2}
    # then the GTIN moved
    variants = ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))["variants"]
    assert [(v["sku"], v["gtin"]) for v in variants] == [("TT-RED-M", None), ("TT-RED-L", "04006381333931")]


def test_bulk_variant_upsert_can_swap_gtins(client, admin, shop):
    # given two variants with a GTIN each, put on the wrong size
    ok(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": [
        {"product": "trolltind-jacket", "sku": "TT-RED-L", "gtin": "96385074", "options": {"colour": "Red", "size": "L"}}]}))
    # when one batch swaps them
    rows = [{"product": "trolltind-jacket", "sku": "TT-RED-M", "gtin": "96385074", "options": {"colour": "Red", "size": "M"}},
            {"product": "trolltind-jacket", "sku": "TT-RED-L", "gtin": "4006381333931", "options": {"colour": "Red", "size": "L"}}]
    assert ok(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows})) == {"created": 0, "updated": 2}
    # then each has the other's
    variants = ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))["variants"]
    assert [(v["sku"], v["gtin"]) for v in variants] == [("TT-RED-M", "00000096385074"), ("TT-RED-L", "04006381333931")]


def test_bulk_variant_upsert_refuses_a_gtin_another_variant_keeps(tvers, client, admin, shop):
    events_before = outbox_count(tvers)
    rows = [{"product": "trolltind-jacket", "sku": "TT-RED-L", "gtin": "4006381333931"}]
    body = problem(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows}), 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("rows.0.gtin", "duplicate_gtin")]
    variants = ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))["variants"]
    assert [(v["sku"], v["gtin"]) for v in variants] == [("TT-RED-M", "04006381333931"), ("TT-RED-L", None)]
    assert outbox_count(tvers) == events_before


# --- the channel view --------------------------------------------------------------------------------------------------

def test_listing_overrides_win_over_translations(client, admin, shop):
    # given the jacket has a Norwegian title, and the channel overrides title, description and image
    publish(client, admin, shop["product_id"], title="Trolltind - nettbutikkens favoritt", description="Kun på nett",
            image_url="https://cdn.example/tt.jpg")
    # when the channel shows it in Norwegian
    view = ok(client.get(JACKET.format(shop["product_id"]), headers=admin))
    # then the overrides are shown, while the variants are still translated
    assert (view["title"], view["description"], view["image_url"]) == (
        "Trolltind - nettbutikkens favoritt", "Kun på nett", "https://cdn.example/tt.jpg")
    assert view["variants"][0]["options"] == {"colour": "Rød", "size": "M"}
    # and the list shows the same
    assert [p["title"] for p in ok(client.get("/api/v1/channels/web-no/products", headers=admin))["items"]] == [
        "Trolltind - nettbutikkens favoritt"]
    # and when the overrides are removed, the translation is back
    publish(client, admin, shop["product_id"])
    assert ok(client.get(JACKET.format(shop["product_id"]), headers=admin))["title"] == "Trolltind Jakke"


def test_unpublished_product_is_not_in_the_channel(client, admin, shop):
    ok(client.put(f"/api/v1/channels/web-no/listings/{shop['product_id']}", headers=admin, json={"is_published": False}))
    problem(client.get(JACKET.format(shop["product_id"]), headers=admin), 404, "product_not_found")
    assert ok(client.get("/api/v1/channels/web-no/products", headers=admin)) == {"items": [], "next_cursor": None}


def test_draft_product_is_not_in_the_channel_even_when_published(client, admin, shop):
    draft = create(client, admin, "fjord-cap", variants=[{"sku": "FC-1"}])
    publish(client, admin, draft["id"])
    problem(client.get(JACKET.format(draft["id"]), headers=admin), 404, "product_not_found")
    assert [p["id"] for p in ok(client.get("/api/v1/channels/web-no/products", headers=admin))["items"]] == [shop["product_id"]]


@pytest.mark.parametrize(("locale", "title", "colour"), [
    ("nb-NO", "Trolltind Jakke", "Rød"),    # a regional request is served by its language
    ("nb_no", "Trolltind Jakke", "Rød"),
    ("sv", "Trolltind Jacket", "Red"),      # no Swedish translation: the base title
    ("en-GB", "Trolltind Jacket", "Red"),
])
def test_locale_fallback(client, admin, shop, locale, title, colour):
    view = ok(client.get(JACKET.format(shop["product_id"]), params={"locale": locale}, headers=admin))
    assert (view["title"], view["variants"][0]["options"]["colour"]) == (title, colour)


def test_regional_translation_wins_over_its_language(client, admin, shop):
    ok(client.patch(f"/api/v1/products/{shop['product_id']}", headers=admin, json={"version": 1, "translations": {
        "nb": {"title": "Trolltind Jakke"}, "nb-NO": {"title": "Trolltind Jakke (Norge)"}}}))
    assert ok(client.get(JACKET.format(shop["product_id"]), params={"locale": "nb-NO"}, headers=admin))["title"] == \
        "Trolltind Jakke (Norge)"
    assert ok(client.get(JACKET.format(shop["product_id"]), params={"locale": "nb"}, headers=admin))["title"] == "Trolltind Jakke"


def test_variant_without_a_price_in_the_channels_book_shows_no_price(client, admin, shop):
    # given a new variant with no price in the NOK book
    ok(client.post(f"/api/v1/products/{shop['product_id']}/variants", headers=admin,
                   json={"sku": "TT-RED-XL", "options": {"colour": "Red", "size": "XL"}}))
    # when the channel shows the product
    view = ok(client.get(JACKET.format(shop["product_id"]), headers=admin))
    # then that variant is there without a price, and the others keep theirs
    prices = {v["sku"]: v["price"] and v["price"]["price"]["amount"] for v in view["variants"]}
    assert prices == {"TT-RED-M": "1299.00", "TT-RED-L": "1299.00", "TT-RED-XL": None}


def test_price_set_singly_shows_in_the_channel(client, admin, shop):
    price = ok(client.put("/api/v1/price-books/nok/prices/TT-RED-L", headers=admin, json={"amount": "999.5", "compare_at": "1299"}))
    assert (price["price"], price["compare_at"]) == ({"amount": "999.50", "currency": "NOK"}, {"amount": "1299.00", "currency": "NOK"})
    large = ok(client.get(JACKET.format(shop["product_id"]), headers=admin))["variants"][1]
    assert (large["sku"], large["price"]["price"]["amount"], large["price"]["compare_at"]["amount"]) == ("TT-RED-L", "999.50", "1299.00")


# --- reviews -------------------------------------------------------------------------------------------------------------

def test_reviews_are_listed_and_summed_up_in_the_channel(tvers, client, admin, shop):
    # given no reviews yet
    assert ok(client.get(JACKET.format(shop["product_id"]), headers=admin))["rating"] == {"count": 0, "average": None}
    # when two shoppers review the jacket through the channel's integration
    web_no = bearer(make_key(tvers, Role.INTEGRATION, channel="web-no"))
    first = ok(client.post(f"/api/v1/products/{shop['product_id']}/reviews", headers=web_no,
                           json={"rating": 4, "title": "God", "text": "Varm og tett", "author_name": "Kari", "locale": "nb-no"}))
    second = ok(client.post(f"/api/v1/products/{shop['product_id']}/reviews", headers=web_no,
                            json={"rating": 5, "author_name": "Ola"}))
    # then both are listed in order, bound to the channel, and the channel shows their average
    channel_id = ok(client.get("/api/v1/channels/web-no", headers=admin))["id"]
    listed = ok(client.get(f"/api/v1/products/{shop['product_id']}/reviews", headers=admin))
    assert listed == {"items": [first, second], "next_cursor": None}
    assert [(r["rating"], r["author_name"], r["locale"], r["channel_id"]) for r in listed["items"]] == [
        (4, "Kari", "nb-NO", channel_id), (5, "Ola", None, channel_id)]
    assert ok(client.get(JACKET.format(shop["product_id"]), headers=admin))["rating"] == {"count": 2, "average": "4.5"}


@pytest.mark.parametrize("rating", [0, 6, "five"])
def test_rating_out_of_range_is_refused(tvers, client, admin, shop, rating):
    events_before = outbox_count(tvers)
    response = client.post(f"/api/v1/products/{shop['product_id']}/reviews", headers=admin,
                           json={"rating": rating, "author_name": "Kari"})
    body = problem(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["rating"]
    assert ok(client.get(f"/api/v1/products/{shop['product_id']}/reviews", headers=admin))["items"] == []
    assert outbox_count(tvers) == events_before


# --- idempotent creates -------------------------------------------------------------------------------------------------

CAP = {"handle": "fjord-cap", "title": "Fjord Cap", "variants": [{"sku": "FC-1"}]}


def test_same_idempotency_key_and_body_replays_the_first_response(tvers, client, admin):
    # given a product created with an Idempotency-Key
    headers = {**admin, "Idempotency-Key": "create-fjord-cap"}
    first = client.post("/api/v1/products", headers=headers, json=CAP)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    events_after_first = outbox_count(tvers)
    # when the same request is retried
    retry = client.post("/api/v1/products", headers=headers, json=CAP)
    # then the first response comes back, marked as a replay, and there is still one product
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry.headers["idempotent-replayed"] == "true"
    assert handles(client, admin) == ["fjord-cap"]
    assert outbox_count(tvers) == events_after_first


def test_same_idempotency_key_with_another_body_is_a_conflict(tvers, client, admin):
    headers = {**admin, "Idempotency-Key": "create-fjord-cap"}
    ok(client.post("/api/v1/products", headers=headers, json=CAP))
    events_before = outbox_count(tvers)
    response = client.post("/api/v1/products", headers=headers, json={**CAP, "handle": "other-cap", "variants": [{"sku": "OC-1"}]})
    problem(response, 409, "idempotency_key_reused")
    assert handles(client, admin) == ["fjord-cap"]
    assert outbox_count(tvers) == events_before


def test_idempotency_keys_belong_to_one_api_key(tvers, client, admin):
    # given one admin key used an Idempotency-Key
    ok(client.post("/api/v1/products", headers={**admin, "Idempotency-Key": "k-1"}, json=CAP))
    # when another admin key uses the same Idempotency-Key for its own product
    other = {**bearer(make_key(tvers, Role.ADMIN)), "Idempotency-Key": "k-1"}
    response = client.post("/api/v1/products", headers=other, json={**CAP, "handle": "other-cap", "variants": [{"sku": "OC-1"}]})
    # then it is not a replay nor a conflict: its product is made
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers
    assert handles(client, admin) == ["fjord-cap", "other-cap"]


def test_refused_create_is_replayed_too(tvers, client, admin, shop):
    # a client error is the response to that request: a retry gets it again and still writes nothing
    headers = {**admin, "Idempotency-Key": "dup-handle"}
    body = {"handle": "trolltind-jacket", "title": "Again"}
    problem(client.post("/api/v1/products", headers=headers, json=body), 409, "duplicate_handle")
    retry = client.post("/api/v1/products", headers=headers, json=body)
    problem(retry, 409, "duplicate_handle")
    assert retry.headers["idempotent-replayed"] == "true"
    assert handles(client, admin) == ["trolltind-jacket"]
