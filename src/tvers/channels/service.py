"""Channel use cases: create, change, list, and resolve a channel for other modules."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from tvers.catalog import service as catalog
from tvers.channels.errors import ChannelNotFound, DuplicateChannel
from tvers.channels.events import ChannelCreated, ChannelUpdated
from tvers.channels.models import Channel
from tvers.channels.schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    ChannelRef,
    ChannelType,
)
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id
from tvers.kernel.locales import normalise_locale
from tvers.kernel.versioning import check_version

_REF = "channels.channel_ref"  # key of a channel's ChannelRef in the unit of work's memo
_c = Channel.__table__.c
# Built once: every checkout, cart line and quote resolves a channel; a plain row, no ORM entity.
_REF_BY_CODE = select(_c.id, _c.code, _c.type, _c.currency, _c.price_book_id, _c.default_locale, _c.country, _c.is_active).where(
    _c.code == bindparam("code"))


def create_channel(uow: Uow, data: ChannelIn) -> ChannelOut:
    book = catalog.get_price_book(uow, data.price_book)
    catalog.check_currency(book, data.currency, field="currency")
    now = uow.clock.now()
    row = Channel(
        id=new_id("chn"),
        code=data.code,
        name=data.name,
        type=data.type.value,
        currency=data.currency,
        price_book_id=book.id,
        default_locale=normalise_locale(data.default_locale, field="default_locale"),
        country=data.country,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        raise _duplicate(data.code) from None
    uow.record(ChannelCreated(channel_id=row.id, code=row.code, channel_type=row.type))
    return _out(row, book.code)


def update_channel(uow: Uow, code: str, data: ChannelPatch) -> ChannelOut:
    uow.memo.pop((_REF, code), None)
    row = get_channel_row(uow, code)
    check_version(row.version, data.version)
    if data.price_book is not None:
        book = catalog.get_price_book(uow, data.price_book)
        catalog.check_currency(book, row.currency, field="price_book")
        row.price_book_id = book.id
    if data.default_locale is not None:
        row.default_locale = normalise_locale(data.default_locale, field="default_locale")
    if data.name is not None:
        row.name = data.name
    if data.is_active is not None:
        row.is_active = data.is_active
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(ChannelUpdated(channel_id=row.id, code=row.code))
    return _out(row, catalog.get_price_book_by_id(uow, row.price_book_id).code)


def get_channel(uow: Uow, code: str) -> ChannelOut:
    row = get_channel_row(uow, code)
    return _out(row, catalog.get_price_book_by_id(uow, row.price_book_id).code)


def list_channels(uow: Uow) -> list[ChannelOut]:
    books = catalog.price_book_codes(uow)
    rows = uow.session.scalars(select(Channel).order_by(Channel.code)).all()
    return [_out(row, books[row.price_book_id]) for row in rows]


def channel_ref(uow: Uow, code: str) -> ChannelRef:
    """The channel's reference data; read once per unit of work (checkout asks for it in several places)."""
    key = (_REF, code)
    known: ChannelRef | None = uow.memo.get(key)
    if known is not None:
        return known
    row = uow.session.connection().execute(_REF_BY_CODE, {"code": code}).one_or_none()
    if row is None:
        raise ChannelNotFound(f"no channel {code!r}", fields=[FieldError("channel", f"no channel {code!r}", "channel_not_found")])
    uow.memo[key] = ref = ChannelRef(
        id=row.id,
        code=row.code,
        type=ChannelType(row.type),
        currency=row.currency,
        price_book_id=row.price_book_id,
        default_locale=row.default_locale,
        country=row.country,
        is_active=row.is_active,
    )
    return ref


def channel_ids_by_code(uow: Uow) -> dict[str, str]:
    return dict(uow.session.execute(select(Channel.code, Channel.id)).all())


def get_channel_row(uow: Uow, code: str) -> Channel:
    row = uow.session.execute(select(Channel).where(Channel.code == code)).scalar_one_or_none()
    if row is None:
        raise ChannelNotFound(f"no channel {code!r}", fields=[FieldError("channel", f"no channel {code!r}", "channel_not_found")])
    return row


def _duplicate(code: str) -> DuplicateChannel:
    message = f"a channel with code {code!r} exists"
    return DuplicateChannel(message, fields=[FieldError("code", message, "duplicate")])


def _out(row: Channel, price_book_code: str) -> ChannelOut:
    return ChannelOut(
        id=row.id,
        code=row.code,
        name=row.name,
        type=ChannelType(row.type),
        currency=row.currency,
        price_book=price_book_code,
        default_locale=row.default_locale,
        country=row.country,
        is_active=row.is_active,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
