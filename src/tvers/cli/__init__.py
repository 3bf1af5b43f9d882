"""The `tvers` command: results on stdout, messages on stderr, non-zero exit on failure."""

from tvers.cli.core import app, main
from tvers.cli.stock import register as _register_stock

_register_stock(app)

__all__ = ["app", "main"]
