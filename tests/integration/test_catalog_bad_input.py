"""Bad input to the catalog gets a clear 4xx problem+json naming the field, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from support.api import ok, problem
from tvers.catalog.gtin import make_gtin13
from tvers.catalog.models import Price, PriceBook
from tvers.db.outbox import OutboxEvent


def count_rows(tvers: Any, table: Any) -> int:
    with tvers.uow(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def state(tvers: Any, client: Any, admin: dict[str, str]) -> dict[str, Any]:
    """Everything a bad request might have touched: products with their variants, prices, books, events."""
    products = ok(client.get("/api/v1/products", params={"limit": 200}, headers=admin))
    assert products["next_cursor"] is None
    shown = ok(client.get("/api/v1/channels/web-no/products", params={"limit": 200}, headers=admin))
    return {"products": products["items"], "channel_view": shown["items"],
            "variant_count": sum(len(p["variants"]) for p in products["items"]),
            "price_count": count_rows(tvers, Price), "price_books": ok(client.get("/api/v1/price-books", headers=admin)),
            "outbox": count_rows(tvers, OutboxEvent)}


def product_body(handle: str, *variants: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"handle": handle, "title": handle.replace("-", " ").title(), "variants": list(variants), **fields}


def gtin(i: int) -> str:
    return make_gtin13(f"70{i:010d}")


def wrong_check_digit(valid: str) -> str:
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


def test_malformed_json_is_a_400(tvers, client, admin, shop):
    # given a shop
    before = state(tvers, client, admin)
    # when a body that is not JSON at all is posted
    response = client.post("/api/v1/products", content=b'{"handle": ', headers={**admin, "Content-Type": "application/json"})
    # then it is a 400 that says so, and nothing changed
    problem(response, 400, "malformed_json")
    assert state(tvers, client, admin) == before


def test_unknown_field_is_named_by_its_path(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a product's variant carries a field the API does not know
    response = client.post("/api/v1/products", headers=admin,
                           json=product_body("fjord-cap", {"sku": "FC-1", "colour": "Red"}))
    # then the field is named, and nothing changed
    body = problem(response, 422, "invalid_input")
    assert body["errors"] == [{"field": "variants.0.colour", "message": "Extra inputs are not permitted", "code": "extra_forbidden"}]
    assert state(tvers, client, admin) == before


def test_unknown_top_level_field_is_named(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/products", headers=admin, json=product_body("fjord-cap", price="10.00"))
    body = problem(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["price"]
    assert state(tvers, client, admin) == before


def test_gtin_with_wrong_check_digit_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a new product's variant has a GTIN whose check digit is wrong
    response = client.post("/api/v1/products", headers=admin,
                           json=product_body("fjord-cap", {"sku": "FC-1", "gtin": "4006381333932"}))
    # then the row and field are named, and nothing changed
    body = problem(response, 422, "invalid_rows")
    assert body["errors"] == [{"field": "variants.0.gtin", "message": "GTIN check digit should be 1", "code": "invalid_gtin"}]
    assert state(tvers, client, admin) == before


def test_sku_used_by_another_product_is_a_conflict(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a second product reuses the shop's SKU
    response = client.post("/api/v1/products", headers=admin,
                           json=product_body("fjord-cap", {"sku": "FC-1"}, {"sku": "TT-RED-M"}))
    # then it is a conflict naming that variant's SKU, and neither the product nor its other variant exists
    body = problem(response, 409, "duplicate_sku")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("variants.1.sku", "duplicate_sku")]
    assert ok(client.get("/api/v1/products", params={"sku": "FC-1"}, headers=admin))["items"] == []
    assert state(tvers, client, admin) == before


def test_handle_used_by_another_product_is_a_conflict(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/products", headers=admin, json=product_body("trolltind-jacket", {"sku": "FC-1"}))
    body = problem(response, 409, "duplicate_handle")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("handle", "duplicate_handle")]
    assert ok(client.get("/api/v1/products", params={"sku": "FC-1"}, headers=admin))["items"] == []
    assert state(tvers, client, admin) == before


@pytest.mark.parametrize(("amount", "code"), [("-1.00", "negative_price"), ("12.345", "invalid_amount")])
def test_bad_price_amount_is_refused(tvers, client, admin, shop, amount, code):
    before = state(tvers, client, admin)
    # when a price is set that NOK cannot hold
    response = client.put("/api/v1/price-books/nok/prices/TT-RED-L", headers=admin, json={"amount": amount})
    # then the amount is named, and the old price stands
    body = problem(response, 422, code)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("amount", code)]
    assert state(tvers, client, admin) == before


def test_over_precise_compare_at_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.put("/api/v1/price-books/nok/prices/TT-RED-L", headers=admin,
                          json={"amount": "10.00", "compare_at": "20.001"})
    body = problem(response, 422, "invalid_amount")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("compare_at", "invalid_amount")]
    assert state(tvers, client, admin) == before


def test_unknown_currency_for_a_price_book_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a price book is made in a currency ISO 4217 does not have
    response = client.post("/api/v1/price-books", headers=admin, json={"code": "xxy", "name": "XXY", "currency": "XXY"})
    # then the currency is named, and no book was made
    body = problem(response, 422, "unknown_currency")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("currency", "unknown_currency")]
    assert state(tvers, client, admin) == before
    assert count_rows(tvers, PriceBook) == 1


def test_price_in_another_currency_than_its_book_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a SEK price is put into the NOK book
    response = client.put("/api/v1/price-books/nok/prices/TT-RED-L", headers=admin, json={"amount": "10.00", "currency": "SEK"})
    # then it is refused on the currency field, and the old price stands
    body = problem(response, 422, "currency_mismatch")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("currency", "currency_mismatch")]
    assert state(tvers, client, admin) == before


def test_unknown_locale_in_the_channel_view_is_refused(tvers, client, admin, shop):
    for path in ("/api/v1/channels/web-no/products", f"/api/v1/channels/web-no/products/{shop['product_id']}"):
        body = problem(client.get(path, params={"locale": "xx-invalid"}, headers=admin), 422, "unknown_locale")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("locale", "unknown_locale")]


def test_translation_keyed_by_an_unknown_locale_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a product is created with a translation for a locale CLDR does not know
    response = client.post("/api/v1/products", headers=admin,
                           json=product_body("fjord-cap", {"sku": "FC-1"}, translations={"xx-invalid": {"title": "?"}}))
    # then the translation is named, and nothing changed
    body = problem(response, 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("translations.xx-invalid", "unknown_locale")]
    assert state(tvers, client, admin) == before


def test_translation_update_with_an_unknown_locale_changes_nothing(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.patch(f"/api/v1/products/{shop['product_id']}", headers=admin,
                            json={"version": 1, "title": "Changed", "translations": {"xx-invalid": {"title": "?"}}})
    body = problem(response, 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("translations.xx-invalid", "unknown_locale")]
    assert state(tvers, client, admin) == before


@pytest.mark.parametrize("limit", [0, 10000, -1])
def test_page_limit_out_of_range_is_refused(tvers, client, admin, shop, limit):
    body = problem(client.get("/api/v1/products", params={"limit": limit}, headers=admin), 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["limit"]


def test_stale_version_is_a_conflict_and_the_first_update_stands(tvers, client, admin, shop):
    # given two editors who both read version 1, and the first saved its change
    first = ok(client.patch(f"/api/v1/products/{shop['product_id']}", headers=admin, json={"version": 1, "title": "First"}))
    assert first["version"] == 2
    before = state(tvers, client, admin)
    # when the second saves with the version it read
    response = client.patch(f"/api/v1/products/{shop['product_id']}", headers=admin, json={"version": 1, "title": "Second"})
    # then it is refused with the current version, and the first editor's title stands
    body = problem(response, 409, "stale_version")
    assert body["current_version"] == 2
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("version", "stale_version")]
    product = ok(client.get(f"/api/v1/products/{shop['product_id']}", headers=admin))
    assert (product["title"], product["version"]) == ("First", 2)
    assert state(tvers, client, admin) == before


def test_bulk_variants_with_one_bad_gtin_write_nothing(tvers, client, admin, shop):
    # given 1,000 new variants of which row 500 has a wrong check digit
    rows = [{"product": "trolltind-jacket", "sku": f"BULK-{i:04d}", "gtin": gtin(i)} for i in range(1000)]
    rows[500]["gtin"] = wrong_check_digit(gtin(500))
    before = state(tvers, client, admin)
    # when they are upserted in one request
    response = client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows})
    # then only row 500 is named, and none of the 999 good SKUs exist
    body = problem(response, 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("rows.500.gtin", "invalid_gtin")]
    assert body["detail"] == "1 of 1000 rows are invalid; nothing was written"
    assert ok(client.get("/api/v1/products", params={"sku": "BULK-0000"}, headers=admin))["items"] == []
    assert ok(client.get("/api/v1/products", params={"sku": "BULK-0999"}, headers=admin))["items"] == []
    assert state(tvers, client, admin) == before
    assert before["variant_count"] == 2


def test_bulk_prices_with_one_over_precise_amount_write_nothing(tvers, client, admin, shop):
    # given 1,000 variants, and 1,000 prices for them of which row 321 has three decimals
    rows = [{"product": "trolltind-jacket", "sku": f"BULK-{i:04d}"} for i in range(1000)]
    assert ok(client.post("/api/v1/variants/bulk", headers=admin, json={"rows": rows})) == {"created": 1000, "updated": 0}
    prices = [{"sku": f"BULK-{i:04d}", "amount": f"{100 + i}.00"} for i in range(1000)]
    prices[321]["amount"] = "421.005"
    before = state(tvers, client, admin)
    # when they are set in one request
    response = client.post("/api/v1/price-books/nok/prices/bulk", headers=admin, json={"rows": prices})
    # then only row 321 is named, and no price was written
    body = problem(response, 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("rows.321.amount", "invalid_amount")]
    assert state(tvers, client, admin) == before
    assert before["price_count"] == 2


def test_bulk_prices_for_unknown_skus_write_nothing(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/price-books/nok/prices/bulk", headers=admin, json={"rows": [
        {"sku": "TT-RED-M", "amount": "1.00"}, {"sku": "NO-SUCH-SKU", "amount": "2.00"}]})
    body = problem(response, 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("rows.1.sku", "unknown_sku")]
    assert state(tvers, client, admin) == before


@pytest.mark.parametrize(("path", "row"), [
    ("/api/v1/variants/bulk", lambda i: {"product": "trolltind-jacket", "sku": f"BULK-{i:04d}"}),
    ("/api/v1/price-books/nok/prices/bulk", lambda i: {"sku": "TT-RED-M", "amount": "1.00"}),
])
def test_more_than_a_thousand_rows_are_refused(tvers, client, admin, shop, path, row):
    before = state(tvers, client, admin)
    response = client.post(path, headers=admin, json={"rows": [row(i) for i in range(1001)]})
    body = problem(response, 422, "invalid_input")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("rows", "too_long")]
    assert state(tvers, client, admin) == before


@pytest.mark.parametrize("amount", ["99999999999999999999999999999", 1e20, "92233720368547758.08"])
def test_price_too_large_to_store_is_refused(tvers, client, admin, shop, amount):
    # given a price book in NOK, whose prices are stored as 64-bit minor units
    before = state(tvers, client, admin)
    # when a price beyond that is set (first as one price, then in a bulk row)
    single = client.put("/api/v1/price-books/nok/prices/TT-RED-L", headers=admin, json={"amount": amount})
    bulk = client.post("/api/v1/price-books/nok/prices/bulk", headers=admin, json={"rows": [{"sku": "TT-RED-L", "amount": amount}]})
    # then both are refused on the amount, not with a 500, and the old price stands
    assert [(e["field"], e["code"]) for e in problem(single, 422, "invalid_amount")["errors"]] == [("amount", "invalid_amount")]
    assert [(e["field"], e["code"]) for e in problem(bulk, 422, "invalid_rows")["errors"]] == [("rows.0.amount", "invalid_amount")]
    assert state(tvers, client, admin) == before


def test_largest_storable_price_is_accepted(tvers, client, admin, shop):
    # the bound above is the column's, not lower: 2**63 - 1 minor units still fit
    price = ok(client.put("/api/v1/price-books/nok/prices/TT-RED-L", headers=admin, json={"amount": "92233720368547758.07"}))
    assert price["price"] == {"amount": "92233720368547758.07", "currency": "NOK"}


def test_same_gtin_twice_in_one_new_product_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    # when a new product gives two of its variants the same GTIN (once as GTIN-8, once as GTIN-14)
    response = client.post("/api/v1/products", headers=admin, json=product_body(
        "fjord-cap", {"sku": "FC-1", "gtin": "96385074"}, {"sku": "FC-2", "gtin": "00000096385074"}))
    # then the second is named, not a 500, and nothing changed
    body = problem(response, 422, "invalid_rows")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("variants.1.gtin", "duplicate_gtin")]
    assert state(tvers, client, admin) == before


def test_body_that_is_not_utf8_is_malformed_json(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/products", content=b'{"handle": "\xff"}', headers={**admin, "Content-Type": "application/json"})
    problem(response, 400, "malformed_json")
    assert state(tvers, client, admin) == before


NUL_READS = {
    "path": ("/api/v1/products/prd%00x", {}),
    "query": ("/api/v1/products", {"q": "a\u0000b"}),
    "cursor": ("/api/v1/products", {"after": "YQBi"}),  # base64 of "a\0b"
}


@pytest.mark.parametrize("where", sorted(NUL_READS))
def test_nul_character_in_a_read_is_never_a_server_error(tvers, client, admin, shop, where):
    path, params = NUL_READS[where]
    response = client.get(path, params=params, headers=admin)
    assert 200 <= response.status_code < 500, response.text


def test_nul_character_in_a_body_is_refused(tvers, client, admin, shop):
    before = state(tvers, client, admin)
    response = client.post("/api/v1/products", headers=admin, json={"handle": "fjord-cap", "title": "Fjord\u0000Cap"})
    assert response.status_code == 422, response.text
    assert state(tvers, client, admin) == before


def test_nul_character_in_the_api_key_is_a_401(tvers, client, shop):
    problem(client.get("/api/v1/products", headers={"Authorization": "Bearer tvk_a\u0000b_c"}), 401, "invalid_api_key")
