"""Typed dependencies for routes: the running Tvers, units of work, and the caller's rights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tvers.bootstrap import Tvers
from tvers.channels.access import Permission, Principal
from tvers.channels.api_keys import authenticate
from tvers.channels.errors import InvalidApiKey, MissingPermission, OutsideScope
from tvers.db.uow import Uow
from tvers.web.principals import remembered_principal

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer tvk_…`")


def get_tvers(request: Request) -> Tvers:
    tvers: Tvers = request.app.state.tvers
    return tvers


TversDep = Annotated[Tvers, Depends(get_tvers)]


def write_uow(tvers: TversDep) -> Uow:
    return tvers.uow()


def read_uow(tvers: TversDep) -> Uow:
    return tvers.uow(read_only=True)


UowDep = Annotated[Uow, Depends(write_uow)]
ReadUowDep = Annotated[Uow, Depends(read_uow)]


def requires(permission: Permission) -> Callable[..., Principal]:
    """A dependency that authenticates the caller and checks one permission.

    The returned function carries `.permission`, so tests can read every route's need.
    """

    def dependency(request: Request, tvers: TversDep,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
        if credentials is None:
            raise InvalidApiKey("an API key is required: Authorization: Bearer <key>")
        principal = remembered_principal(request, credentials.credentials)  # verified by the idempotency claim
        if principal is None:
            with tvers.uow(read_only=True) as uow:
                principal = authenticate(uow, credentials.credentials)
        if not principal.has(permission):
            raise MissingPermission(f"the {principal.role} role may not use {permission}", permission=str(permission))
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def check_channel_scope(principal: Principal, channel_code: str) -> None:
    if not principal.may_use_channel(channel_code):
        raise OutsideScope(f"this key acts for channel {principal.channel_code}, not {channel_code}")


def check_location_scope(principal: Principal, *location_codes: str) -> None:
    outside = [code for code in location_codes if not principal.may_use_location(code)]
    if outside:
        raise OutsideScope(f"this key serves {', '.join(sorted(principal.location_codes))}, not {', '.join(outside)}")


IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Retry safely: same key and body → the first response."),
]
