"""Shipping rates: one per destination country and currency, mapped onto the pricing engine's `ShippingRate`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from tvers.catalog.schemas import TaxClass
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, TversError
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money
from tvers.kernel.versioning import check_version
from tvers.pricing import shipping as engine
from tvers.pricing.errors import InvalidShippingRate
from tvers.quoting.errors import DuplicateShippingRate, ShippingRateNotFound
from tvers.quoting.events import ShippingRateChanged
from tvers.quoting.models import ShippingRate
from tvers.quoting.schemas import ShippingRateIn, ShippingRateOut, ShippingRatePatch, ValueBandIn, WeightBandIn
from tvers.quoting.service.promotion_mapping import MAX_STORED_MINOR


def create_shipping_rate(uow: Uow, data: ShippingRateIn) -> ShippingRateOut:
    now = uow.clock.now()
    row = ShippingRate(id=new_id("shr"), **rate_values(data), created_at=now, updated_at=now)
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        message = f"a shipping rate to {data.country} in {data.currency} exists; change that one"
        raise DuplicateShippingRate(message, fields=[FieldError("country", message, DuplicateShippingRate.code)]) from None
    uow.record(ShippingRateChanged(shipping_rate_id=row.id, country=row.country, currency=row.currency))
    return rate_out(row)


def update_shipping_rate(uow: Uow, rate_id: str, data: ShippingRatePatch) -> ShippingRateOut:
    row = _row(uow, rate_id)
    check_version(row.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    try:
        merged = ShippingRateIn.model_validate({**_rate_in(row).model_dump(), **changes})
    except ValidationError as error:
        fields = [FieldError(".".join(str(p) for p in e["loc"]), e["msg"], e["type"]) for e in error.errors()]
        raise InvalidShippingRate(fields[0].message if fields else "invalid shipping rate", fields=fields) from None
    for name, value in rate_values(merged).items():
        setattr(row, name, value)
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(ShippingRateChanged(shipping_rate_id=row.id, country=row.country, currency=row.currency))
    return rate_out(row)


def delete_shipping_rate(uow: Uow, rate_id: str) -> None:
    """Nothing refers to a rate (orders keep the charge they were quoted), so it can go."""
    row = _row(uow, rate_id)
    uow.session.delete(row)
    uow.session.flush()
    uow.record(ShippingRateChanged(shipping_rate_id=row.id, country=row.country, currency=row.currency, is_deleted=True))


def get_shipping_rate(uow: Uow, rate_id: str) -> ShippingRateOut:
    return rate_out(_row(uow, rate_id))


def list_shipping_rates(uow: Uow, *, country: str | None = None) -> list[ShippingRateOut]:
    query = select(ShippingRate).order_by(ShippingRate.country, ShippingRate.currency)
    if country is not None:
        query = query.where(ShippingRate.country == country)
    return [rate_out(row) for row in uow.session.scalars(query)]


def rates_for(uow: Uow, *, country: str, currency: str) -> tuple[engine.ShippingRate, ...]:
    """The engine's rates to `country` in `currency` (none, or the one): one statement."""
    rows = uow.session.connection().execute(_RATES_FOR, {"country": country, "currency": currency})
    return tuple(engine_rate(row) for row in rows)  # type: ignore[arg-type]  # a Core row has the columns by name


_rates = ShippingRate.__table__.c
# Built once (every shipped quote): plain rows, no ORM entities.
_RATES_FOR = select(*ShippingRate.__table__.columns).where(_rates.country == bindparam("country"),
                                                            _rates.currency == bindparam("currency"))


def engine_rate(row: ShippingRate) -> engine.ShippingRate:
    def money(minor: int) -> Money:
        return Money(minor, row.currency)

    return engine.ShippingRate(
        country=row.country,
        currency=row.currency,
        weight_bands=tuple(engine.WeightBand(band["max_grams"], money(band["price_minor"])) for band in row.weight_bands),
        value_bands=tuple(engine.ValueBand(money(band["min_value_minor"]), money(band["price_minor"])) for band in row.value_bands),
        free_from=money(row.free_from_minor) if row.free_from_minor is not None else None,
        tax_class=row.tax_class,
        prices_include_vat=row.prices_include_vat,
    )


def rate_values(data: ShippingRateIn) -> dict[str, Any]:
    """Column values for `data`, each amount checked on its field, then the whole rate by the engine."""
    errors: list[FieldError] = []
    if bool(data.weight_bands) == bool(data.value_bands):
        errors.append(FieldError("weight_bands", "give weight bands or value bands, exactly one kind", "invalid_bands"))
    weight = [{"max_grams": band.max_grams, "price_minor": _minor(band.price, data.currency, f"weight_bands.{i}.price", errors)}
              for i, band in enumerate(data.weight_bands)]
    value = [{"min_value_minor": _minor(band.min_value, data.currency, f"value_bands.{i}.min_value", errors),
              "price_minor": _minor(band.price, data.currency, f"value_bands.{i}.price", errors)}
             for i, band in enumerate(data.value_bands)]
    if data.value_bands and not any(band.min_value == 0 for band in data.value_bands):
        errors.append(FieldError("value_bands", "the lowest value band must start at 0", "invalid_bands"))
    free_from = _minor(data.free_from, data.currency, "free_from", errors) if data.free_from is not None else None
    if errors:
        raise InvalidShippingRate(f"{errors[0].field}: {errors[0].message}", fields=errors)
    values = {"country": data.country, "currency": data.currency, "weight_bands": weight, "value_bands": value,
              "free_from_minor": free_from, "tax_class": data.tax_class.value, "prices_include_vat": data.prices_include_vat}
    try:  # the engine has the last word on what a rate may be
        engine_rate(ShippingRate(**values))
    except TversError as error:
        raise InvalidShippingRate(error.message, fields=[FieldError("weight_bands", error.message, error.code)]) from None
    return values


def _minor(value: Decimal, currency: str, field: str, errors: list[FieldError]) -> int:
    try:
        minor = Money.of(value, currency).minor
    except TversError as error:
        errors.append(FieldError(field if error.code != "unknown_currency" else "currency", error.message, error.code))
        return 0
    if minor < 0 or minor > MAX_STORED_MINOR:
        errors.append(FieldError(field, "an amount must be from 0 up to a sane maximum", "invalid_amount"))
    return minor


def _row(uow: Uow, rate_id: str) -> ShippingRate:
    row = uow.session.get(ShippingRate, rate_id)
    if row is None:
        raise ShippingRateNotFound(f"no shipping rate {rate_id!r}")
    return row


def _rate_in(row: ShippingRate) -> ShippingRateIn:
    def major(minor: int) -> Decimal:
        return Money(minor, row.currency).amount

    return ShippingRateIn(
        country=row.country, currency=row.currency,
        weight_bands=[WeightBandIn(max_grams=b["max_grams"], price=major(b["price_minor"])) for b in row.weight_bands],
        value_bands=[ValueBandIn(min_value=major(b["min_value_minor"]), price=major(b["price_minor"])) for b in row.value_bands],
        free_from=major(row.free_from_minor) if row.free_from_minor is not None else None,
        tax_class=TaxClass(row.tax_class), prices_include_vat=row.prices_include_vat,
    )


def rate_out(row: ShippingRate) -> ShippingRateOut:
    return ShippingRateOut(**_rate_in(row).model_dump(), id=row.id, version=row.version, created_at=row.created_at,
                           updated_at=row.updated_at)
