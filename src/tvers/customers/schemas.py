"""Published shapes of customers: profiles, identities, resolution, merges and consent."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from tvers.customers.identity_rules import IdentityType
from tvers.kernel.shapes import Code, CountryCode, Strict

Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
ChannelCode = Code
Reason = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    ERASED = "erased"


class AddressKind(StrEnum):
    SHIPPING = "shipping"
    BILLING = "billing"
    HOME = "home"


class IdentityIn(Strict):
    type: IdentityType
    value: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    is_verified: bool = Field(default=False, description="The channel proved the customer controls it (e.g. a confirmed email).")


class IdentityOut(BaseModel):
    id: str
    type: IdentityType
    value: str
    is_verified: bool
    channel: str | None
    created_at: datetime


class AddressIn(Strict):
    kind: AddressKind = AddressKind.SHIPPING
    lines: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(min_length=1, max_length=4)
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    city: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    country: CountryCode
    is_default: bool = False


class AddressOut(BaseModel):
    id: str
    kind: AddressKind
    lines: list[str]
    postal_code: str
    city: str
    country: str
    is_default: bool


class ProfileData(Strict):
    given_name: Name | None = None
    family_name: Name | None = None
    locale: str | None = Field(default=None, examples=["nb"])
    birth_on: date | None = None


class CustomerIn(ProfileData):
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None
    channel: ChannelCode | None = Field(default=None, description="The channel the profile is created on.")
    region: CountryCode | None = Field(default=None, description="Default region for phone numbers; else the channel's country.")
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=20)


class CustomerPatch(Strict):
    version: int = Field(description="The version you read; a stale version is refused with 409.")
    given_name: Name | None = None
    family_name: Name | None = None
    locale: str | None = None
    birth_on: date | None = None
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None


class IdentityAddIn(IdentityIn):
    channel: ChannelCode | None = None
    region: CountryCode | None = None


class CustomerOut(BaseModel):
    id: str
    status: CustomerStatus
    given_name: str | None
    family_name: str | None
    locale: str | None
    birth_on: date | None
    notes: str | None
    created_channel: str | None
    identities: list[IdentityOut]
    addresses: list[AddressOut]
    version: int
    created_at: datetime
    updated_at: datetime
    resolved_from: str | None = Field(default=None, description="The id asked for, when it was merged into this profile.")


class ArrivalKind(StrEnum):
    CART = "cart"
    ORDER = "order"
    SIGN_UP = "sign_up"
    EVENT = "event"


class ArrivalIn(Strict):
    """Identities seen together (a cart, an order, a sign-up, an event) and what else came with them."""

    kind: ArrivalKind
    channel: ChannelCode | None = None
    region: CountryCode | None = None
    identities: list[IdentityIn] = Field(min_length=1, max_length=20)
    profile: ProfileData | None = None


class ResolutionOutcome(StrEnum):
    CREATED = "created"
    ATTACHED = "attached"
    MERGED = "merged"
    AMBIGUOUS = "ambiguous"


class ResolutionOut(BaseModel):
    customer_id: str | None = Field(description="The profile the arrival belongs to; null only when ambiguous.")
    outcome: ResolutionOutcome
    merged_ids: list[str] = Field(default_factory=list)
    added_identities: list[IdentityType] = Field(default_factory=list)
    possible_duplicates: list[str] = Field(default_factory=list, description="Profiles matched only by weak identities.")


class MergeIn(Strict):
    merged_id: str = Field(description="The profile that goes into the one in the path.")
    reason: Reason


class MergeOut(BaseModel):
    id: str
    survivor_id: str
    merged_id: str
    reason: str
    evidence: list[dict[str, str]]
    actor: str
    at: datetime


class Purpose(StrEnum):
    EMAIL_MARKETING = "email_marketing"
    SMS_MARKETING = "sms_marketing"
    PERSONALISATION = "personalisation"
    PROFILING = "profiling"
    ORDER_UPDATES = "order_updates"  # messages about the customer's own orders (ready for pickup, shipped, delayed)

    @property
    def is_granted_by_default(self) -> bool:
        """Order updates are part of serving the order: sent until the customer withdraws them; the rest need a yes."""
        return self is Purpose.ORDER_UPDATES


class ConsentIn(Strict):
    purpose: str = Field(description="email_marketing, sms_marketing, personalisation, profiling or order_updates.")
    is_granted: bool
    channel: ChannelCode | None = None
    wording_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ConsentOut(BaseModel):
    purpose: Purpose
    is_granted: bool
    channel: str | None
    wording_version: str | None
    recorded_at: datetime | None


class ConsentEntryOut(BaseModel):
    id: str
    purpose: Purpose
    is_granted: bool
    channel: str | None
    wording_version: str
    recorded_at: datetime


class ActivityOut(BaseModel):
    kind: str
    channel: str | None
    detail: dict[str, object]
    at: datetime


class CustomerSearch(Strict):
    q: str | None = None
    email: str | None = None
    phone: str | None = None
    loyalty_card: str | None = None
    region: CountryCode | None = Field(default=None, description="Region for a phone number given without +countrycode.")
