"""Errors the carts module publishes."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound


class CartNotFound(NotFound):
    code = "cart_not_found"


class CartClosed(Conflict):
    code = "cart_closed"


class InvalidCartLine(InvalidInput):
    code = "invalid_cart_line"
