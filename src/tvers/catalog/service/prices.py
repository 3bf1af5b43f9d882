"""Price books and the prices in them; amounts are exact minor units in the book's currency."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tvers.catalog import events
from tvers.catalog.errors import (
    DuplicatePriceBook,
    InvalidPrice,
    InvalidRows,
    PriceBookNotFound,
    VariantNotFound,
)
from tvers.catalog.models import Price, PriceBook, Variant
from tvers.catalog.schemas import (
    BulkResult,
    MoneyOut,
    PriceBookIn,
    PriceBookOut,
    PriceIn,
    PriceOut,
    PriceRowIn,
)
from tvers.catalog.service.variants import MAX_BULK_ROWS
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError, TversError
from tvers.kernel.ids import new_id
from tvers.kernel.money import Money, minor_digits

MAX_STORED_MINOR = 2**63 - 1  # prices are BIGINT minor units on both databases


def create_price_book(uow: Uow, data: PriceBookIn) -> PriceBookOut:
    try:
        minor_digits(data.currency)
    except TversError as error:
        raise type(error)(error.message, fields=[FieldError("currency", error.message, error.code)]) from None
    row = PriceBook(
        id=new_id("pbk"),
        code=data.code,
        name=data.name,
        currency=data.currency,
        prices_include_vat=data.prices_include_vat,
        created_at=uow.clock.now(),
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        message = f"a price book with code {data.code!r} exists"
        raise DuplicatePriceBook(message, fields=[FieldError("code", message, DuplicatePriceBook.code)]) from None
    return price_book_out(row)


def get_price_book(uow: Uow, code: str) -> PriceBookOut:
    row = uow.session.execute(select(PriceBook).where(PriceBook.code == code)).scalar_one_or_none()
    if row is None:
        message = f"no price book {code!r}"
        raise PriceBookNotFound(message, fields=[FieldError("price_book", message, PriceBookNotFound.code)])
    return price_book_out(row)


def get_price_book_by_id(uow: Uow, price_book_id: str) -> PriceBookOut:
    row = uow.session.get(PriceBook, price_book_id)
    if row is None:
        raise PriceBookNotFound(f"no price book {price_book_id!r}")
    return price_book_out(row)


def list_price_books(uow: Uow) -> list[PriceBookOut]:
    return [price_book_out(r) for r in uow.session.scalars(select(PriceBook).order_by(PriceBook.code))]


def price_book_codes(uow: Uow) -> dict[str, str]:
    return dict(uow.session.execute(select(PriceBook.id, PriceBook.code)).all())


def check_currency(book: PriceBookOut, currency: str, *, field: str) -> None:
    if book.currency != currency:
        message = f"price book {book.code} is in {book.currency}, not {currency}"
        raise InvalidPrice(message, code="currency_mismatch", fields=[FieldError(field, message, "currency_mismatch")])


def set_price(uow: Uow, book_code: str, sku: str, data: PriceIn) -> PriceOut:
    book = get_price_book(uow, book_code)
    variant = uow.session.execute(select(Variant).where(Variant.sku == sku)).scalar_one_or_none()
    if variant is None:
        raise VariantNotFound(f"no variant with SKU {sku!r}")
    errors: list[FieldError] = []
    amount, compare_at = _checked_amounts(data, book, prefix="", errors=errors)
    if errors:
        raise InvalidPrice(errors[0].message, code=errors[0].code, fields=errors)
    assert amount is not None
    _upsert(uow, book.id, {variant.id: (amount, compare_at)})
    uow.record(events.PricesChanged(price_book=book.code, skus=(sku,)))
    return PriceOut(sku=sku, variant_id=variant.id, price=money_out(amount), compare_at=money_out(compare_at) if compare_at else None)


def bulk_upsert_prices(uow: Uow, book_code: str, rows: Sequence[PriceRowIn]) -> BulkResult:
    """Set many prices: every row is checked first, then all are written or none."""
    book = get_price_book(uow, book_code)
    if len(rows) > MAX_BULK_ROWS:
        raise InvalidRows(f"at most {MAX_BULK_ROWS} rows per request", fields=[FieldError("rows", "too many rows", "too_many_rows")])
    variants = dict(uow.session.execute(select(Variant.sku, Variant.id).where(Variant.sku.in_({r.sku for r in rows}))).all())
    errors: list[FieldError] = []
    values: dict[str, tuple[Money, Money | None]] = {}
    for i, row in enumerate(rows):
        if row.sku not in variants:
            errors.append(FieldError(f"rows.{i}.sku", f"no variant with SKU {row.sku!r}", "unknown_sku"))
        elif variants[row.sku] in values:
            errors.append(FieldError(f"rows.{i}.sku", f"SKU {row.sku} appears twice", "duplicate_sku"))
        amount, compare_at = _checked_amounts(row, book, prefix=f"rows.{i}.", errors=errors)
        if amount is not None and row.sku in variants:
            values.setdefault(variants[row.sku], (amount, compare_at))
    if errors:
        raise InvalidRows(
            f"{len({e.field.split('.')[1] for e in errors})} of {len(rows)} rows are invalid; nothing was written", fields=errors
        )
    created = _upsert(uow, book.id, values)
    uow.record(events.PricesChanged(price_book=book.code, skus=tuple(r.sku for r in rows)))
    return BulkResult(created=created, updated=len(values) - created)


def _checked_amounts(data: PriceIn, book: PriceBookOut, *, prefix: str, errors: list[FieldError]) -> tuple[Money | None, Money | None]:
    if data.currency is not None and data.currency != book.currency:
        errors.append(
            FieldError(f"{prefix}currency", f"price book {book.code} is in {book.currency}, not {data.currency}", "currency_mismatch")
        )
        return None, None
    amount = _money(data.amount, book.currency, field=f"{prefix}amount", errors=errors)
    compare_at = _money(data.compare_at, book.currency, field=f"{prefix}compare_at", errors=errors) if data.compare_at is not None else None
    if amount is not None and compare_at is not None and compare_at <= amount:
        errors.append(FieldError(f"{prefix}compare_at", "the compare-at price must be above the price", "compare_at_not_above_price"))
    return amount, compare_at


def _money(value: Decimal, currency: str, *, field: str, errors: list[FieldError]) -> Money | None:
    try:
        money = Money.of(value, currency)
    except TversError as error:
        errors.append(FieldError(field, error.message, error.code))
        return None
    if money.is_negative:
        errors.append(FieldError(field, "a price cannot be negative", "negative_price"))
        return None
    if money.minor > MAX_STORED_MINOR:
        errors.append(FieldError(field, "Amount is too large", "invalid_amount"))
        return None
    return money


def _upsert(uow: Uow, book_id: str, values: dict[str, tuple[Money, Money | None]]) -> int:
    now = uow.clock.now()
    existing = {
        p.variant_id: p for p in uow.session.scalars(select(Price).where(Price.price_book_id == book_id, Price.variant_id.in_(values)))
    }
    for variant_id, (amount, compare_at) in values.items():
        row = existing.get(variant_id) or Price(price_book_id=book_id, variant_id=variant_id)
        row.amount_minor, row.compare_at_minor, row.updated_at = amount.minor, compare_at.minor if compare_at else None, now
        uow.session.add(row)
    uow.session.flush()
    return len(values) - len(existing)


def prices_for(uow: Uow, book_id: str, variant_ids: Sequence[str]) -> dict[str, Price]:
    return {
        p.variant_id: p for p in uow.session.scalars(select(Price).where(Price.price_book_id == book_id, Price.variant_id.in_(variant_ids)))
    }


def money_out(money: Money) -> MoneyOut:
    return MoneyOut(amount=str(money.amount), currency=money.currency)


def price_book_out(row: PriceBook) -> PriceBookOut:
    return PriceBookOut(id=row.id, code=row.code, name=row.name, currency=row.currency, prices_include_vat=row.prices_include_vat)
