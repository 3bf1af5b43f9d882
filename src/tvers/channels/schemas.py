"""Published shapes of channels and API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from tvers.channels.access import Role
from tvers.kernel.shapes import Code, CountryCode, CurrencyCode, Strict


class ChannelType(StrEnum):
    WEB = "web"
    APP = "app"
    POS = "pos"
    MARKETPLACE = "marketplace"
    SOCIAL = "social"
    CALL_CENTER = "call_center"
    KIOSK = "kiosk"


class ChannelIn(Strict):
    code: Code
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    type: ChannelType
    currency: CurrencyCode
    price_book: Code = Field(description="Code of the price book this channel sells from; its currency must match.")
    default_locale: str = Field(examples=["nb"])
    country: CountryCode


class ChannelPatch(Strict):
    version: int = Field(description="The version you read; a stale version is refused with 409.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    price_book: Code | None = None
    default_locale: str | None = None
    is_active: bool | None = None


class ChannelOut(BaseModel):
    id: str
    code: str
    name: str
    type: ChannelType
    currency: str
    price_book: str
    default_locale: str
    country: str
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ChannelRef(BaseModel):
    """What other modules need of a channel to show the catalog through it."""

    id: str
    code: str
    type: ChannelType
    currency: str
    price_book_id: str
    default_locale: str
    country: str
    is_active: bool


class ApiKeyIn(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: Role
    channel: Code | None = Field(default=None, description="Required for the integration role: the one channel it acts for.")
    locations: list[Code] = Field(default_factory=list, description="Required for store_staff: the location codes it serves.")


class ApiKeyOut(BaseModel):
    id: str
    prefix: str
    name: str
    role: Role
    channel: str | None
    locations: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret key. Shown once: store it now.")
