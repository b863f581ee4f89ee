"""Products made and published through the desk's commands, for the delivery tests."""

from __future__ import annotations

from uuid import UUID

from hub.commands.products import FastTrackProduct, MakeProduct, PublishProduct, RetractProduct
from hub.commands.stories import DraftStory
from tests.conftest import Staff


def published(
    staff: Staff, channel: str, title: str, body: str = "", media: list[UUID] | None = None
) -> UUID:
    """A new-media product, fast-tracked by the chief editor and published: its id."""
    app, req = staff.newsroom, staff.req
    story = app.handle(req("eddie"), DraftStory(assignment=None, title=title, body=body)).id
    product = app.handle(
        req("eddie"),
        MakeProduct(story=story, channel=channel, title=title, body=body, media=media or []),
    ).id
    app.handle(req("chen"), FastTrackProduct(id=product, reason="breaking news"))
    app.handle(req("chen"), PublishProduct(id=product))
    return product


def retract(staff: Staff, product: UUID, reason: str) -> None:
    staff.newsroom.handle(staff.req("chen"), RetractProduct(id=product, reason=reason))
