"""What a delivery carries, read from the log: the product as it was published, its media by
URL on the public site, the story's assignment as subject and place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from events.assignment import Assignment
from events.capture import Capture
from events.channels import CHANNEL_WORDS
from events.delivery import Delivery
from hub.delivery.ninjs import Item, Rendition

if TYPE_CHECKING:
    from hub.newsroom import Newsroom


def media_url(base_url: str, product: object, capture: object) -> str:
    return f"{base_url.rstrip('/')}/p/{product}/media/{capture}"


def item_of(newsroom: Newsroom, d: Delivery, base_url: str) -> Item:
    """The product of the delivery at the version it was published (or retracted) in."""
    product: Any = newsroom.repository.get(d.subject, version=d.subject_version)
    renditions = []
    for capture_id in list(getattr(product, "media", [])):
        capture = _get(newsroom, capture_id)
        if isinstance(capture, Capture):
            renditions.append(
                Rendition(
                    name=capture.filename,
                    href=media_url(base_url, d.subject, capture_id),
                    contenttype=capture.content_type,
                    sizeinbytes=capture.size,
                    duration=capture.duration,
                )
            )
    subjects: list[str] = [str(CHANNEL_WORDS.get(product.channel, product.channel))]
    places: list[str] = []
    story = _get(newsroom, getattr(product, "story", None))
    assignment = _get(newsroom, getattr(story, "assignment", None))
    if isinstance(assignment, Assignment):
        subjects.append(assignment.title)
        places.append(str(assignment.location.get("name", "")))
    return Item(
        product=d.subject,
        story=d.story,
        channel=product.channel,
        publication=d.publication,
        version=d.subject_version,
        title=product.title,
        body=product.body,
        first_created=product.created_on,
        version_created=product.modified_on,
        by=getattr(story, "authors", None) and ", ".join(sorted(story.authors)) or "",
        media=tuple(renditions),
        subjects=tuple(subjects),
        places=tuple(p for p in places if p),
        retraction=d.note if d.action == "retract" else None,
    )


def _get(newsroom: Newsroom, aggregate_id: Any) -> Any:
    if aggregate_id is None:
        return None
    try:
        return newsroom.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
