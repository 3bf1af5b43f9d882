"""The demo retailer (`build.py`) and its quarter of history; light to import, so the CLI can show its defaults."""

DEFAULT_ORDERS = 1200  # orders in the 90-day history: about a minute on SQLite (see build.py)
