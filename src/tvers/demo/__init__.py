"""The demo retailer (`build.py`) and its quarter of history; light to import, so the CLI can show its defaults."""

DEFAULT_ORDERS = 1000  # orders in the 90-day history: about 50 s on SQLite on a 2-core machine (issue 5 item 9)
