"""Read-side questions about products and channels: one product with its history (folded from
its own events, exact at the version it names), the desk's product lists (from the matrix), and
the channels' profiles (an admin's setting, else the default)."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from events.channel_profile import NEW_MEDIA
from events.channels import CHANNELS
from events.product import Product
from events.roles import REVIEW_LEVEL_NAMES
from hub.commands.products import profile_of
from hub.newsroom import Newsroom
from hub.queries import history_of
from hub.readmodels import Models
from projections.base import iso

DETAIL_FIELDS = ("reason", "digest", "level", "publication", "on_behalf_of", "revision")


def product_detail(newsroom: Newsroom, product: UUID) -> dict[str, Any]:
    """The product now: content, approvals with the digest each approved, and its history."""
    p = newsroom.get(Product, product)
    history = history_of(newsroom, product, (*DETAIL_FIELDS, "publish_at"))
    level = p.review_level
    approvals = [
        {"level": n, "level_name": REVIEW_LEVEL_NAMES[n - 1], "reviewer": a[0], "digest": a[1]}
        for n, a in sorted(p.approvals.items())
    ]
    fast = p.fast_track
    return {
        "id": str(p.id),
        "version": p.version,
        "story": str(p.story),
        "channel": p.channel,
        "revision": p.revision,
        "title": p.title,
        "body": p.body,
        "media": [str(m) for m in p.media],
        "cover": str(p.cover) if p.cover else None,
        "script": copy.deepcopy(p.script),
        "media_sha256": {k: v["sha256"] for k, v in p.facts.items()},
        "digest": p.digest,
        "state": p.state,
        "review_level": level,
        "review_level_name": REVIEW_LEVEL_NAMES[level - 1] if level else None,
        "approvals": approvals,
        "fast_track": {"by": fast[0], "reason": fast[1], "digest": fast[2]} if fast else None,
        "cleared": p.clearance(),
        "publish_at": iso(p.publish_at),
        "scheduled_by": p.scheduled_by if p.publish_at else None,
        "publications": p.publications,
        "live_digest": p.live_digest,
        "history": history,
    }


def product_list(
    models: Models,
    *,
    story: str | None = None,
    channel: str | None = None,
    state: str | None = None,
    review: str | None = None,
) -> list[dict[str, Any]]:
    """Products from the matrix, newest first, filtered."""
    chosen = [
        copy.deepcopy(cell)
        for cell in models.matrix.state()["products"].values()
        if (story is None or cell["story"] == story)
        and (channel is None or cell["channel"] == channel)
        and (state is None or cell["state"] == state)
        and (review is None or cell["review"] == review)
    ]
    return sorted(chosen, key=lambda c: c.get("at") or "", reverse=True)


def channel_profiles(newsroom: Newsroom) -> list[dict[str, Any]]:
    """Every channel with the limits its products are made to now."""
    return [
        {
            "id": channel,
            "label": label,
            "new_media": channel in NEW_MEDIA,
            **profile_of(newsroom, channel).as_dict(),
        }
        for channel, label in CHANNELS.items()
    ]


def due_schedules(models: Models) -> list[dict[str, Any]]:
    """Every scheduled product and its time, soonest first (the scheduler's worklist)."""
    items = [dict(item) for item in models.matrix.state()["scheduled"].values()]
    return sorted(items, key=lambda item: item["publish_at"])
