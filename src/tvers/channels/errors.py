"""Errors the channels module publishes."""

from __future__ import annotations

from tvers.kernel.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    Unauthenticated,
)


class ChannelNotFound(NotFound):
    code = "channel_not_found"


class DuplicateChannel(Conflict):
    code = "duplicate_channel"


class InvalidApiKey(Unauthenticated):
    code = "invalid_api_key"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"


class InvalidScope(InvalidInput):
    code = "invalid_scope"


class OutsideScope(NotAllowed):
    code = "outside_scope"


class MissingPermission(NotAllowed):
    code = "missing_permission"
