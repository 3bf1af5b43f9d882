"""Carts that follow the customer across channels."""
