"""API key routes: create (the key is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tvers.channels import api_keys
from tvers.channels.access import Permission, Principal
from tvers.channels.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from tvers.web.api.common import api_router
from tvers.web.deps import IdempotencyKey, ReadUowDep, UowDep, requires

router = api_router("access")

KeysManage = Annotated[Principal, Depends(requires(Permission.API_KEYS_MANAGE))]


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyIn, uow: UowDep, _: KeysManage, __: IdempotencyKey = None) -> ApiKeyCreated:
    with uow:
        created = api_keys.create_api_key(uow, body)
        uow.commit()
    return created


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(uow: ReadUowDep, _: KeysManage) -> list[ApiKeyOut]:
    with uow:
        return api_keys.list_api_keys(uow)


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyOut)
def revoke_api_key(key_id: str, uow: UowDep, _: KeysManage, __: IdempotencyKey = None) -> ApiKeyOut:
    with uow:
        revoked = api_keys.revoke_api_key(uow, key_id)
        uow.commit()
    return revoked
