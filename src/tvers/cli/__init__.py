"""The `tvers` command: results on stdout, messages on stderr, non-zero exit on failure."""

from tvers.cli.core import app, main
from tvers.cli.customers import customers_app, giftcard_app
from tvers.cli.doctor import doctor
from tvers.cli.fulfilment import fulfilment_app
from tvers.cli.orders import orders_app
from tvers.cli.stock import register as _register_stock

_register_stock(app)
app.add_typer(customers_app, name="customers")
app.add_typer(giftcard_app, name="giftcard")
app.add_typer(orders_app, name="orders")
app.add_typer(fulfilment_app, name="fulfilment")
app.command("doctor")(doctor)

__all__ = ["app", "main"]
