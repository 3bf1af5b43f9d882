"""The demo catalog: big enough to demo, unique identifiers, valid GTINs, four locales, stable per seed."""

import re
from decimal import Decimal

import pytest

from tvers.demo.catalog_data import DemoCatalog, DemoVariant, build_catalog

CURRENCIES = {"NOK", "SEK", "DKK", "EUR"}


@pytest.fixture(scope="module")
def catalog() -> DemoCatalog:
    return build_catalog()


def _variants(catalog: DemoCatalog) -> list[DemoVariant]:
    return [variant for product in catalog.products for variant in product.variants]


def _is_valid_gtin13(code: str) -> bool:
    """Written independently of the module: weights 1, 3, 1, ... from the left, check digit included."""
    weighted = sum(int(digit) * (1 if position % 2 == 0 else 3) for position, digit in enumerate(code))
    return len(code) == 13 and code.isdigit() and weighted % 10 == 0


def test_default_catalog_is_big_enough_to_demo(catalog: DemoCatalog) -> None:
    assert len(catalog.products) == 240
    assert catalog.variant_count >= 1500
    assert catalog.variant_count == len(_variants(catalog))


def test_skus_are_unique_uppercase_and_fit_64_characters(catalog: DemoCatalog) -> None:
    skus = [variant.sku for variant in _variants(catalog)]

    assert len(set(skus)) == len(skus)
    assert all(re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", sku) and len(sku) <= 64 for sku in skus)


def test_gtins_are_unique_and_carry_a_valid_check_digit(catalog: DemoCatalog) -> None:
    gtins = [variant.gtin13 for variant in _variants(catalog)]

    assert len(set(gtins)) == len(gtins)
    assert [gtin for gtin in gtins if not _is_valid_gtin13(gtin)] == []


def test_gtin_check_helper_rejects_a_wrong_check_digit() -> None:
    assert _is_valid_gtin13("7041310000017")
    assert not _is_valid_gtin13("7041310000018")


def test_handles_are_unique_lower_case_slugs(catalog: DemoCatalog) -> None:
    handles = [product.handle for product in catalog.products]

    assert len(set(handles)) == len(handles)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", handle) for handle in handles)


def test_every_product_speaks_all_four_locales(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        assert set(product.translations) == {"nb", "sv", "da", "en"}
        assert product.translations["en"].title == product.title
        assert product.translations["en"].description == product.description
        assert all(text.title and text.description for text in product.translations.values())


def test_translated_option_values_are_values_the_product_has(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        values = {value for variant in product.variants for value in variant.options.values()}
        assert all(set(text.option_values) <= values for text in product.translations.values())


def test_norwegian_uses_norwegian_letters(catalog: DemoCatalog) -> None:
    norwegian = " ".join(
        f"{p.translations['nb'].title} {p.translations['nb'].description}" for p in catalog.products
    )

    assert {"æ", "ø", "å"} <= set(norwegian.lower())


def test_prices_exist_in_every_currency_positive_with_two_decimals(catalog: DemoCatalog) -> None:
    for variant in _variants(catalog):
        assert set(variant.prices) == CURRENCIES
        assert all(price > 0 and price.as_tuple().exponent == -2 for price in variant.prices.values())


def test_nok_prices_end_on_a_price_point(catalog: DemoCatalog) -> None:
    endings = {variant.prices["NOK"] % 10 for variant in _variants(catalog)}

    assert endings == {Decimal("9.00")}


def test_compare_at_is_above_the_price_in_every_currency(catalog: DemoCatalog) -> None:
    on_sale = [variant for variant in _variants(catalog) if variant.compare_at]

    assert on_sale
    for variant in on_sale:
        assert set(variant.compare_at) == CURRENCIES
        assert all(variant.compare_at[currency] > variant.prices[currency] for currency in CURRENCIES)


def test_about_one_product_in_seven_is_on_sale(catalog: DemoCatalog) -> None:
    on_sale = [product for product in catalog.products if product.variants[0].compare_at]

    assert 0.08 <= len(on_sale) / len(catalog.products) <= 0.25


def test_all_sizes_of_a_colour_share_one_price(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        prices_by_look: dict[str, set[Decimal]] = {}
        for variant in product.variants:
            look = variant.options.get("colour") or variant.options.get("flavour") or ""
            prices_by_look.setdefault(look, set()).add(variant.prices["NOK"])
        assert all(len(prices) == 1 for prices in prices_by_look.values())


def test_only_food_has_the_reduced_tax_class(catalog: DemoCatalog) -> None:
    reduced = {product.category.split("/")[0] for product in catalog.products if product.tax_class == "reduced"}
    other = {product.tax_class for product in catalog.products if not product.category.startswith("food/")}

    assert reduced == {"food"}
    assert other == {"standard"}


def test_most_products_are_active_and_a_few_are_drafts(catalog: DemoCatalog) -> None:
    statuses = [product.status for product in catalog.products]

    assert set(statuses) == {"active", "draft"}
    assert statuses.count("active") / len(statuses) >= 0.9


def test_the_same_seed_builds_an_equal_catalog(catalog: DemoCatalog) -> None:
    assert build_catalog(42) == catalog


def test_another_seed_builds_another_catalog(catalog: DemoCatalog) -> None:
    other = build_catalog(7)

    assert other != catalog
    assert [p.handle for p in other.products] != [p.handle for p in catalog.products]


def test_product_count_is_honoured() -> None:
    assert len(build_catalog(1, product_count=5).products) == 5
