"""Catalog tables (private to the catalog module)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tvers.db.base import Base, Json, UtcDateTime


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    handle: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(120), index=True)
    category: Mapped[str | None] = mapped_column(String(200), index=True)
    tax_class: Mapped[str] = mapped_column(String(20), default="standard")
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    tag_index: Mapped[str] = mapped_column(Text, default="")  # "|tag|tag|": exact tag filter on both databases
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    variants: Mapped[list[Variant]] = relationship(back_populates="product", order_by="Variant.position")
    media: Mapped[list[Media]] = relationship(order_by="Media.position", cascade="all, delete-orphan")
    translations: Mapped[list[ProductTranslation]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class Variant(Base):
    __tablename__ = "variants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    options: Mapped[dict[str, str]] = mapped_column(Json, default=dict)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    product: Mapped[Product] = relationship(back_populates="variants")

    __mapper_args__ = {"version_id_col": version}


class Media(Base):
    __tablename__ = "product_media"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("variants.id"))
    url: Mapped[str] = mapped_column(String(1000))
    alt: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProductTranslation(Base):
    __tablename__ = "product_translations"

    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    option_values: Mapped[dict[str, str]] = mapped_column(Json, default=dict)


class PriceBook(Base):
    __tablename__ = "price_books"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    prices_include_vat: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Price(Base):
    __tablename__ = "prices"

    price_book_id: Mapped[str] = mapped_column(ForeignKey("price_books.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True, index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    compare_at_minor: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChannelListing(Base):
    __tablename__ = "channel_listings"

    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True, index=True)
    is_published: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Review(Base):
    __tablename__ = "product_reviews"
    __table_args__ = (Index("ix_product_reviews_product_id_id", "product_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


__all__ = ["ChannelListing", "Media", "Price", "PriceBook", "Product", "ProductTranslation", "Review", "Variant"]
