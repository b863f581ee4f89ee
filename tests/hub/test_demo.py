"""The demo newsroom: seeded once, believable on the wall, and kept moving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.demo import Director, seed
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels


def test_seeding_fills_every_part_of_the_wall_once(newsroom: Newsroom) -> None:
    seeded = seed(newsroom)
    assert seeded is not None and "wall" in seeded.tokens
    assert seed(newsroom) is None  # a second start seeds nothing
    models = ReadModels(newsroom)
    models.start()
    wall = models.models.wall.state()
    states = {a["state"] for a in wall["assignments"].values()}
    assert states >= {"planned", "assigned", "accepted", "declined", "on_scene", "filed"}
    assert {f["state"] for f in wall["finished"].values()} == {"closed", "cancelled"}
    assert {r["level_name"] for r in wall["reviews"].values()} == {"first", "second", "final"}
    assert len(wall["commands"]) == 3
    assert wall["outputs"]["main"]["on_air"] == "truck-1"
    assert {p["action"] for p in wall["publications"]} == {"published", "retracted"}
    assert len(wall["sources"]) == 7


def test_the_director_keeps_the_wall_moving(newsroom: Newsroom) -> None:
    seed(newsroom)
    director = Director(newsroom)
    before = newsroom.store.max_notification_id() or 0
    now = datetime.now(UTC)
    done = [director.step(now + timedelta(seconds=i)) for i in range(40)]
    assert sum(1 for d in done if d) >= 30
    assert (newsroom.store.max_notification_id() or 0) - before >= 30
