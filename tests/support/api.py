"""Small helpers for API tests."""

from __future__ import annotations

from typing import Any

from httpx import Response

from tvers.bootstrap import Tvers
from tvers.channels import api_keys
from tvers.channels.access import Role
from tvers.channels.schemas import ApiKeyIn


def make_key(tvers: Tvers, role: Role, *, channel: str | None = None, locations: list[str] | None = None) -> str:
    with tvers.uow() as uow:
        created = api_keys.create_api_key(uow, ApiKeyIn(name=f"test {role}", role=role, channel=channel, locations=locations or []))
        uow.commit()
    return created.key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ok(response: Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json response with this status and code, and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    return body
