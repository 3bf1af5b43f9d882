"""API keys: random, shown once, stored as a SHA-256 digest, found by a visible prefix.

A slow password hash (argon2) guards low-entropy passwords; a 256-bit random key
needs none, and a fast digest keeps authentication off the hot path (ADR 0004).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import bindparam, select

from tvers.channels.access import Principal, Role
from tvers.channels.errors import ApiKeyNotFound, InvalidApiKey, InvalidScope
from tvers.channels.models import ApiKey, Channel
from tvers.channels.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from tvers.channels.service import get_channel_row
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.kernel.ids import new_id

KEY_PREFIX = "tvk"


def create_api_key(uow: Uow, data: ApiKeyIn) -> ApiKeyCreated:
    channel_id = _check_scope(uow, data)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = f"{KEY_PREFIX}_{prefix}_{secret}"
    row = ApiKey(
        id=new_id("key"),
        prefix=prefix,
        secret_hash=_digest(token),
        name=data.name,
        role=data.role.value,
        channel_id=channel_id,
        location_codes=sorted(set(data.locations)),
        created_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return ApiKeyCreated(**_out(row, data.channel).model_dump(), key=token)


def _check_scope(uow: Uow, data: ApiKeyIn) -> str | None:
    if data.role is Role.INTEGRATION and data.channel is None:
        raise _scope_error("channel", "an integration key needs the channel it acts for")
    if data.role is Role.STORE_STAFF and not data.locations:
        raise _scope_error("locations", "a store staff key needs at least one location")
    if data.role is not Role.INTEGRATION and data.channel is not None:
        raise _scope_error("channel", "only integration keys are bound to a channel")
    if data.role is not Role.STORE_STAFF and data.locations:
        raise _scope_error("locations", "only store staff keys are bound to locations")
    return get_channel_row(uow, data.channel).id if data.channel else None


def _scope_error(field: str, message: str) -> InvalidScope:
    return InvalidScope(message, fields=[FieldError(field, message, "invalid_scope")])


def authenticate(uow: Uow, token: str) -> Principal:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not _is_prefix(parts[1]):
        raise InvalidApiKey("the API key is not valid")
    key = uow.session.connection().execute(_BY_PREFIX, {"prefix": parts[1]}).one_or_none()
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_hash, _digest(token)):
        raise InvalidApiKey("the API key is not valid")
    return Principal(key_id=key.id, role=Role(key.role), channel_code=key.channel_code, location_codes=frozenset(key.location_codes))


_keys, _channels = ApiKey.__table__.c, Channel.__table__.c
# Built once, run on the Connection: every request authenticates, so the lookup is a plain Core row, no ORM entity.
_BY_PREFIX = (
    select(_keys.id, _keys.role, _keys.secret_hash, _keys.revoked_at, _keys.location_codes, _channels.code.label("channel_code"))
    .select_from(ApiKey.__table__.outerjoin(Channel.__table__, _channels.id == _keys.channel_id))
    .where(_keys.prefix == bindparam("prefix"))
)


def list_api_keys(uow: Uow) -> list[ApiKeyOut]:
    rows = uow.session.execute(select(ApiKey, Channel.code).outerjoin(Channel, Channel.id == ApiKey.channel_id).order_by(ApiKey.id)).all()
    return [_out(key, code) for key, code in rows]


def revoke_api_key(uow: Uow, key_id_or_prefix: str) -> ApiKeyOut:
    key = uow.session.execute(
        select(ApiKey).where((ApiKey.id == key_id_or_prefix) | (ApiKey.prefix == key_id_or_prefix))
    ).scalar_one_or_none()
    if key is None:
        raise ApiKeyNotFound(f"no API key {key_id_or_prefix}")
    if key.revoked_at is None:
        key.revoked_at = uow.clock.now()
    channel = uow.session.get(Channel, key.channel_id) if key.channel_id else None
    return _out(key, channel.code if channel else None)


def _is_prefix(value: str) -> bool:
    """The visible part is 12 hex digits; anything else is refused before it reaches the database."""
    return len(value) == 12 and all(c in "0123456789abcdef" for c in value)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _out(key: ApiKey, channel_code: str | None) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        prefix=key.prefix,
        name=key.name,
        role=Role(key.role),
        channel=channel_code,
        locations=list(key.location_codes),
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )
