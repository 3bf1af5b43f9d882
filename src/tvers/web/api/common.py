"""Shapes and parameters every API route shares."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tvers.db.pagination import MAX_LIMIT, Page
from tvers.web.idempotency import IdempotentRoute

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
After = Annotated[str | None, Query(description="The `next_cursor` of the previous page.")]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last page.")

    @classmethod
    def of(cls, page: Page[T]) -> PageOut[T]:
        return cls(items=page.items, next_cursor=page.next_cursor)


def api_router(tag: str) -> APIRouter:
    return APIRouter(prefix="/api/v1", tags=[tag], route_class=IdempotentRoute)
