"""Product reviews from any channel, and the rating summary channels show."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from tvers.catalog import events
from tvers.catalog.models import Review
from tvers.catalog.schemas import RatingSummary, ReviewIn, ReviewOut
from tvers.catalog.service._shared import product_row
from tvers.db.pagination import Page, decode_cursor, page_of
from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.kernel.locales import normalise_locale


def add_review(uow: Uow, product_id: str, data: ReviewIn, *, channel_id: str | None) -> ReviewOut:
    product_row(uow, product_id)
    locale = normalise_locale(data.locale) if data.locale else None
    row = Review(
        id=new_id("rev"),
        product_id=product_id,
        channel_id=channel_id,
        rating=data.rating,
        title=data.title,
        text=data.text,
        author_name=data.author_name,
        locale=locale,
        created_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    uow.record(events.ReviewAdded(review_id=row.id, product_id=product_id, rating=data.rating))
    return review_out(row)


def list_reviews(uow: Uow, product_id: str, *, limit: int, after: str | None) -> Page[ReviewOut]:
    product_row(uow, product_id)
    query = select(Review).where(Review.product_id == product_id)
    last = decode_cursor(after)
    if last is not None:
        query = query.where(Review.id > last)
    rows = uow.session.scalars(query.order_by(Review.id).limit(limit + 1)).all()
    page = page_of(rows, limit=limit, last_id=rows[limit - 1].id if len(rows) > limit else None)
    return Page(items=[review_out(r) for r in page.items], next_cursor=page.next_cursor)


def rating_summaries(uow: Uow, product_ids: list[str]) -> dict[str, RatingSummary]:
    rows = uow.session.execute(
        select(Review.product_id, func.count(), func.sum(Review.rating))
        .where(Review.product_id.in_(product_ids))
        .group_by(Review.product_id)
    ).all()
    found = {pid: _summary(count, total) for pid, count, total in rows}
    return {pid: found.get(pid, RatingSummary(count=0, average=None)) for pid in product_ids}


def _summary(count: int, total: int) -> RatingSummary:
    average = (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RatingSummary(count=count, average=str(average))


def review_out(row: Review) -> ReviewOut:
    return ReviewOut(
        id=row.id,
        product_id=row.product_id,
        channel_id=row.channel_id,
        rating=row.rating,
        title=row.title,
        text=row.text,
        author_name=row.author_name,
        locale=row.locale,
        created_at=row.created_at,
    )
