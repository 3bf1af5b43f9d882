"""The caller a request was authenticated as, kept on the request so it is looked up once."""

from __future__ import annotations

from starlette.requests import Request

from tvers.channels.access import Principal


def remember_principal(request: Request, token: str, principal: Principal) -> None:
    request.state.verified = (token, principal)


def remembered_principal(request: Request, token: str) -> Principal | None:
    """The principal verified earlier in this request for exactly this token, if any."""
    verified = getattr(request.state, "verified", None)
    if verified is None or verified[0] != token:
        return None
    principal: Principal = verified[1]
    return principal
