"""The demo retailer (`build.py`) and its quarter of history; light to import, so the CLI can show its defaults."""

DEFAULT_ORDERS = 900  # orders in the 90-day history, each fulfilled: about 115 s of CPU on SQLite on a 2-core machine
