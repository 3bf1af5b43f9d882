"""The channel view: what a channel shows is translated, priced in its book, with overrides applied."""

from support.api import ok


def test_channel_shows_translated_priced_product(client, admin, shop):
    # given a published product with a Norwegian translation and NOK prices (the shop fixture)
    # when the Norwegian web channel reads it
    view = ok(client.get(f"/api/v1/channels/web-no/products/{shop['product_id']}", headers=admin))
    # then it is in Norwegian, with prices and VAT from the channel's book and country
    assert view["title"] == "Trolltind Jakke"
    assert view["locale"] == "nb"
    medium = view["variants"][0]
    assert medium["options"] == {"colour": "Rød", "size": "M"}
    assert medium["price"]["price"] == {"amount": "1299.00", "currency": "NOK"}
    assert medium["price"]["compare_at"] == {"amount": "1599.00", "currency": "NOK"}
    assert medium["price"]["vat"] == {"amount": "259.80", "currency": "NOK"}
    assert medium["price"]["net"] == {"amount": "1039.20", "currency": "NOK"}
    assert medium["gtin"] == "04006381333931"
