"""Notifications about orders: customers (ready for pickup, shipped, delayed) and stores (new pickup order, customer arrived).

The relay subscriber writes them (`subscriber`), the worker's `send_notifications` job sends them through a `Sender`.
See docs/notifications.md.
"""
