"""Fulfilment: sourcing, tasks per location, shipments, pickup and curbside (docs/fulfilment.md)."""
