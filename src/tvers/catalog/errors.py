"""Errors the catalog publishes."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"


class VariantNotFound(NotFound):
    code = "variant_not_found"


class PriceBookNotFound(NotFound):
    code = "price_book_not_found"


class DuplicateHandle(Conflict):
    code = "duplicate_handle"


class DuplicateSku(Conflict):
    code = "duplicate_sku"


class DuplicateGtin(Conflict):
    code = "duplicate_gtin"


class DuplicatePriceBook(Conflict):
    code = "duplicate_price_book"


class InvalidRows(InvalidInput):
    """A bulk request with bad rows: nothing was written; `fields` names each by index."""

    code = "invalid_rows"


class InvalidPrice(InvalidInput):
    code = "invalid_price"


class ProductArchived(Conflict):
    code = "product_archived"
