"""An aggregate keeps its events' `Kept` fields, and only those, as its own copies."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import timedelta
from typing import Any
from uuid import uuid4

import events
from events.alert import EmergencyAlert
from events.base import Kept, NewsroomAggregate
from events.product import Product
from projections.base import iso, kept
from tests.events.helpers import at, person

EDITOR = person("eddie", "editor")


def all_events() -> list[type[NewsroomAggregate.Event]]:
    for module in pkgutil.iter_modules(events.__path__):
        importlib.import_module(f"events.{module.name}")
    found: list[type[NewsroomAggregate.Event]] = []
    todo = [NewsroomAggregate.Event]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("events."):
                found.append(sub)
    return found


def kept_bases(event: type[Any]) -> dict[str, Any]:
    return {
        name: kind
        for each in reversed(event.__mro__)
        if issubclass(each, Kept) and not issubclass(each, NewsroomAggregate.Event)
        for name, kind in vars(each).get("__annotations__", {}).items()
    }


def test_an_event_keeps_the_fields_of_its_kept_bases_and_no_others() -> None:
    kinds = all_events()
    assert any(kind.kept for kind in kinds if issubclass(kind, NewsroomAggregate.Created))
    assert Product.Edited.kept == Product.Made.kept[2:]  # the content, not the story or channel
    for kind in kinds:
        assert set(kind.kept) == set(kept_bases(kind)), kind.__qualname__
        assert len(kind.kept) == len(set(kind.kept)), kind.__qualname__
        fields = [f.name for f in dataclasses.fields(kind)]
        assert set(kind.kept) <= set(fields), kind.__qualname__


def test_a_replayed_alert_has_what_it_keeps_and_nothing_of_its_events_own() -> None:
    now = at()
    alert = EmergencyAlert.draft(
        id=uuid4(), at=now, actor=EDITOR, msg_type="Alert", references=[],
        category="Met", event="暴雨", urgency="Immediate", severity="Severe",
        certainty="Observed", headline="暴雨红色预警", description="城区有大暴雨",
        instruction="", area="全县", effective=None, expires=now + timedelta(hours=6),
        reason="气象局通报",
    )  # fmt: skip
    (drafted,) = alert.collect_events()
    again = drafted.mutate(None)
    assert again is not None
    assert vars(again) == vars(alert)
    assert again.headline == "暴雨红色预警" and again.author == "eddie"
    assert not hasattr(again, "reason")  # the draft's reason is the event's, not the alert's
    again.references.append(drafted.originator_id)
    assert drafted.references == []  # the aggregate's list is its own copy


def test_a_read_model_holds_the_kept_fields_as_text_and_lists() -> None:
    now = at()
    earlier = uuid4()
    alert = EmergencyAlert.draft(
        id=uuid4(), at=now, actor=EDITOR, msg_type="Update", references=[earlier],
        category="Met", event="暴雨", urgency="Immediate", severity="Severe",
        certainty="Observed", headline="暴雨橙色预警", description="雨势加大", instruction="",
        area="全县", effective=None, expires=now + timedelta(hours=6), reason="更新",
    )  # fmt: skip
    (drafted,) = alert.collect_events()
    held = kept(drafted)
    assert list(held) == list(drafted.kept)
    assert held["references"] == [str(earlier)] and held["area"] == "全县"
    assert held["effective"] == iso(now) and held["expires"] == iso(now + timedelta(hours=6))
