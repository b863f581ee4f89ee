"""The evaluation counts the desk's products: each publication of a product on its channel, the
captures it uses, and the chief editor's fast track."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from events.assignment import Assignment
from events.base import Location
from events.capture import Capture
from events.channel_profile import DEFAULT_PROFILES
from events.product import Content, MediaFact, Product
from events.story import Story
from hub.readmodels import Models
from projections.base import Logged
from projections.evaluation import report
from tests.events.helpers import CHIEF, DISPATCHER, EDITOR, REPORTER, at


def fold(models: Models, events: list[Any]) -> None:
    for event in events:
        models.fold(Logged(models.evaluation.position + 1, event.timestamp, event))


def test_a_fast_tracked_product_counts_for_its_reporter_and_editor() -> None:
    models = Models.empty()
    start = at()
    job = Assignment.plan(
        id=uuid4(), at=at(), actor=DISPATCHER, title="Flood", brief="",
        location=Location("levee", 30.0, 120.0), priority="normal", due=None, channels=[],
    )  # fmt: skip
    job.assign(at=at(), actor=DISPATCHER, reporter="rui")
    photo = Capture.register(
        id=uuid4(), at=at(), actor=REPORTER, assignment=job.id, kind="upload",
        filename="a.jpg", content_type="image/jpeg", size=1, sha256="a" * 64,
    )  # fmt: skip
    story = Story.draft(
        id=uuid4(), at=at(), actor=EDITOR, assignment=job.id, title="Flood", body="",
        captures=[photo.id],
    )  # fmt: skip
    fold(models, [*job.collect_events(), *photo.collect_events(), *story.collect_events()])
    product = Product.make(
        at=at(),
        actor=EDITOR,
        story=story.id,
        channel="wechat",
        content=Content("Flood: roads shut", "Body", cover=photo.id),
        profile=DEFAULT_PROFILES["wechat"],
        facts={photo.id: MediaFact("a" * 64, "photo")},
    )
    product.fast_track_now(
        at=at(), actor=CHIEF, reason="breaking", profile=DEFAULT_PROFILES["wechat"]
    )
    product.publish(at=at(), actor=EDITOR)
    fold(models, product.collect_events())
    found = report(models.evaluation.state(), start, at() + timedelta(seconds=1))
    rows = {row["name"]: row for row in found["people"]}
    rui, eddie = rows["rui"], rows["eddie"]
    assert rui["publications"]["wechat"] == eddie["publications"]["wechat"] == 1
    assert rui["fast_tracks"] == eddie["fast_tracks"] == 1
    assert (rui["captures"], rui["products"], rui["products_per_capture"]) == (1, 1, 1.0)
    assert rui["median_to_first_publication_s"] is not None
    assert rui["points"] == 5 + 1  # WeChat and a capture, by the default rule
