"""Published shapes of the catalog: what the API accepts and returns, and what channels see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from tvers.kernel.shapes import Code, Strict

Handle = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,199}$")]
Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(/[a-z0-9-]+)*$", max_length=200)]
OptionMap = dict[
    Annotated[str, StringConstraints(min_length=1, max_length=40)], Annotated[str, StringConstraints(min_length=1, max_length=100)]
]


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class VariantStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class TaxClass(StrEnum):
    STANDARD = "standard"
    REDUCED = "reduced"
    REDUCED_LOW = "reduced_low"
    ZERO = "zero"


class MoneyOut(BaseModel):
    amount: str = Field(examples=["1299.00"], description="Major units as a decimal string; never a float.")
    currency: str = Field(examples=["NOK"])


class TranslationIn(Strict):
    title: Title | None = None
    description: Text | None = None
    option_values: OptionMap = Field(default_factory=dict, description="Original option value → translated value.")


class MediaIn(Strict):
    url: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    alt: Annotated[str, StringConstraints(max_length=300)] = ""
    variant_sku: Sku | None = None


class VariantIn(Strict):
    sku: Sku
    gtin: str | None = Field(default=None, description="GTIN-8/12/13/14; the GS1 check digit is verified; stored as GTIN-14.")
    options: OptionMap = Field(default_factory=dict, examples=[{"colour": "Red", "size": "M"}])
    weight_grams: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class ProductIn(Strict):
    handle: Handle
    title: Title
    description: Text = ""
    brand: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    category: Category | None = None
    tax_class: TaxClass = TaxClass.STANDARD
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=50)
    attributes: dict[Annotated[str, StringConstraints(min_length=1, max_length=60)], str | int | bool] = Field(default_factory=dict)
    status: ProductStatus = ProductStatus.DRAFT
    variants: list[VariantIn] = Field(default_factory=list, max_length=1000)
    media: list[MediaIn] = Field(default_factory=list, max_length=100)
    translations: dict[str, TranslationIn] = Field(default_factory=dict)


class ProductPatch(Strict):
    version: int = Field(description="The version you read; a stale version is refused with 409.")
    title: Title | None = None
    description: Text | None = None
    brand: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    category: Category | None = None
    tax_class: TaxClass | None = None
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] | None = Field(default=None, max_length=50)
    attributes: dict[Annotated[str, StringConstraints(min_length=1, max_length=60)], str | int | bool] | None = None
    status: ProductStatus | None = None
    media: list[MediaIn] | None = Field(default=None, max_length=100)
    translations: dict[str, TranslationIn] | None = Field(default=None, description="Replaces all translations when given.")


class VersionIn(Strict):
    version: int


class VariantPatch(Strict):
    version: int
    gtin: str | None = None
    options: OptionMap | None = None
    weight_grams: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    status: VariantStatus | None = None


class VariantOut(BaseModel):
    id: str
    product_id: str
    sku: str
    gtin: str | None
    options: dict[str, str]
    weight_grams: int | None
    status: VariantStatus
    version: int


class MediaOut(BaseModel):
    id: str
    url: str
    alt: str
    variant_id: str | None


class TranslationOut(BaseModel):
    title: str | None
    description: str | None
    option_values: dict[str, str]


class ProductOut(BaseModel):
    id: str
    handle: str
    title: str
    description: str
    brand: str | None
    category: str | None
    tax_class: TaxClass
    tags: list[str]
    attributes: dict[str, Any]
    status: ProductStatus
    version: int
    variants: list[VariantOut]
    media: list[MediaOut]
    translations: dict[str, TranslationOut]
    created_at: datetime
    updated_at: datetime


class PriceBookIn(Strict):
    code: Code
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    prices_include_vat: bool = True


class PriceBookOut(BaseModel):
    id: str
    code: str
    name: str
    currency: str
    prices_include_vat: bool


class PriceIn(Strict):
    amount: Decimal = Field(description='Major units, e.g. "1299.00"; no more decimals than the currency has.')
    compare_at: Decimal | None = Field(default=None, description="The 'before' price shown struck through.")
    currency: str | None = Field(default=None, description="If given, must be the price book's currency.")


class PriceRowIn(PriceIn):
    sku: Sku


class PriceOut(BaseModel):
    sku: str
    variant_id: str
    price: MoneyOut
    compare_at: MoneyOut | None


class VariantRowIn(VariantIn):
    product: Handle = Field(description="Handle of the product the variant belongs to.")
    status: VariantStatus = VariantStatus.ACTIVE


class BulkResult(BaseModel):
    created: int
    updated: int


class ListingIn(Strict):
    is_published: bool
    title: Title | None = None
    description: Text | None = None
    image_url: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None


class ListingOut(BaseModel):
    channel_id: str
    product_id: str
    is_published: bool
    title: str | None
    description: str | None
    image_url: str | None


class ReviewIn(Strict):
    rating: Annotated[int, Field(ge=1, le=5)]
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    text: Annotated[str, StringConstraints(max_length=5000)] = ""
    author_name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    channel: Code | None = None
    locale: str | None = None


class ReviewOut(BaseModel):
    id: str
    product_id: str
    channel_id: str | None
    rating: int
    title: str
    text: str
    author_name: str
    locale: str | None
    created_at: datetime


class ChannelContext(BaseModel):
    """What the catalog needs of a channel to show itself through it (built by the caller)."""

    channel_id: str
    price_book_id: str
    currency: str
    country: str
    default_locale: str


class ChannelPrice(BaseModel):
    price: MoneyOut
    compare_at: MoneyOut | None
    includes_vat: bool
    vat_rate: str | None = Field(examples=["0.25"], description="None where Tvers has no VAT rates for the channel's country.")
    vat: MoneyOut | None
    net: MoneyOut | None
    gross: MoneyOut | None


class ChannelVariantOut(BaseModel):
    id: str
    sku: str
    gtin: str | None
    options: dict[str, str]
    price: ChannelPrice | None = Field(description="None when the channel's price book has no price: not sellable there.")


class RatingSummary(BaseModel):
    count: int
    average: str | None


class ChannelProductOut(BaseModel):
    id: str
    handle: str
    locale: str
    title: str
    description: str
    brand: str | None
    category: str | None
    tags: list[str]
    attributes: dict[str, Any]
    image_url: str | None
    media: list[MediaOut]
    variants: list[ChannelVariantOut]
    rating: RatingSummary


class VariantRef(BaseModel):
    """What other modules need of a variant: its id, SKU and whether it is archived."""

    id: str
    sku: str
    product_id: str
    is_archived: bool


@dataclass(frozen=True, slots=True)
class SaleVariant:
    """A variant as one channel sells it (what pricing and order lines need); a plain dataclass for the hot path.

    `unit_minor` is the price in the channel's book, None when the book has none; `title` and `options`
    are in the asked locale (listing override, then translation, then the product's own).
    """

    variant_id: str
    sku: str
    product_id: str
    title: str
    category: str | None
    tax_class: str
    weight_grams: int | None
    is_for_sale: bool
    is_listed: bool
    unit_minor: int | None
    currency: str
    prices_include_vat: bool
    options: dict[str, str] = field(default_factory=dict)
