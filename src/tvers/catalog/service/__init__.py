"""Catalog use cases; each takes the unit of work and never commits."""

from tvers.catalog.service.listings import get_listing, publish_many, set_listing
from tvers.catalog.service.prices import (
    bulk_upsert_prices,
    check_currency,
    create_price_book,
    get_price_book,
    get_price_book_by_id,
    list_price_books,
    price_book_codes,
    set_price,
)
from tvers.catalog.service.products import (
    ProductFilter,
    archive_product,
    create_product,
    get_product,
    list_products,
    update_product,
)
from tvers.catalog.service.reviews import add_review, list_reviews
from tvers.catalog.service.selling import existing_product_ids, product_categories, sale_variants
from tvers.catalog.service.variants import (
    add_variant,
    bulk_upsert_variants,
    get_variant_by_sku,
    resolve_skus,
    skus_by_id,
    update_variant,
)
from tvers.catalog.service.views import channel_product, channel_products

__all__ = [
    "ProductFilter",
    "add_review",
    "add_variant",
    "archive_product",
    "bulk_upsert_prices",
    "bulk_upsert_variants",
    "channel_product",
    "channel_products",
    "check_currency",
    "create_price_book",
    "create_product",
    "existing_product_ids",
    "get_listing",
    "get_price_book",
    "get_price_book_by_id",
    "get_product",
    "get_variant_by_sku",
    "list_price_books",
    "list_products",
    "list_reviews",
    "price_book_codes",
    "product_categories",
    "publish_many",
    "resolve_skus",
    "sale_variants",
    "set_listing",
    "set_price",
    "skus_by_id",
    "update_product",
    "update_variant",
]
