"""Products and channels over the API: the desk's product lists, one product with its approvals
and history, and the channels' profiles (what each channel takes).

The desk (editors, desk heads, the chief editor), dispatchers and auditors read products; the
list comes from the publishing matrix, one product from its own events (with its version as
the ETag, for If-Match on the next edit).
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from hub import product_queries
from hub.commands.fields import Channel
from hub.readers import DESK
from web.endpoints import Call, Endpoint
from web.schemas import Answer

ProductState = Literal[
    "draft", "in_review", "returned", "approved", "scheduled", "published", "retracted"
]


class ProductQuery(BaseModel):
    story: UUID | None = None
    channel: Channel | None = None
    state: ProductState | None = None
    review: Literal["first", "second", "final"] | None = Field(
        default=None, description="the queue of one review level"
    )


class ProductItem(Answer):
    id: str
    story: str
    channel: str
    title: str
    version: int
    revision: int
    state: str = Field(description="draft, in_review, returned, approved, scheduled, ...")
    review: str | None = Field(description="the review level waiting: first, second or final")
    cleared: str | None = Field(description="review (three approvals) or fast_track")
    publish_at: str | None
    publications: int
    digest: str


class Products(Answer):
    products: list[ProductItem]


class Approval(Answer):
    level: int
    level_name: str
    reviewer: str
    digest: str = Field(description="the digest of the content this reviewer approved")


class ProductDetail(Answer):
    id: str
    version: int
    story: str
    channel: str
    revision: int
    title: str
    body: str
    media: list[str]
    cover: str | None
    script: list[dict[str, Any]]
    digest: str = Field(description="SHA-256 of the content and of each capture's bytes")
    state: str
    approvals: list[Approval]
    cleared: str | None
    history: list[dict[str, Any]]


class ChannelProfileItem(Answer):
    id: str
    label: str
    new_media: bool = Field(description="the chief editor's fast track reaches it")
    title_max: int
    body_max: int
    requires_cover: bool
    requires_vertical_video: bool
    script_slot_seconds: float | None


class Channels(Answer):
    channels: list[ChannelProfileItem]


async def list_products(call: Call) -> dict[str, Any]:
    q: ProductQuery = call.query
    story = str(q.story) if q.story else None
    products = await call.read_models(
        lambda m: product_queries.product_list(
            m, story=story, channel=q.channel, state=q.state, review=q.review
        )
    )
    return {"products": products}


async def get_product(call: Call) -> dict[str, Any]:
    pid = call.uuid("product")
    detail = await call.read(lambda: product_queries.product_detail(call.newsroom, pid))
    call.etag = detail["version"]
    return detail


async def list_channels(call: Call) -> dict[str, Any]:
    return {"channels": await call.read(lambda: product_queries.channel_profiles(call.newsroom))}


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/products",
        list_products,
        "List products",
        "products",
        Products,
        query=ProductQuery,
        roles=DESK,
    ),
    Endpoint(
        "GET",
        "/api/products/{id}",
        get_product,
        "Read a product with its approvals",
        "products",
        ProductDetail,
        roles=DESK,
    ),
    Endpoint(
        "GET",
        "/api/channels",
        list_channels,
        "Read the channels' profiles",
        "products",
        Channels,
        roles=DESK,
    ),
]
