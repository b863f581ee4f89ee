"""The evaluation (评, 考核): the facts each person is credited with, kept with their times so
that any period can be counted, and the report of a period per person and per desk.

Who is credited: an assignment done (filed) to its reporter; a capture to whoever registered
it (a live recording to the reporter of its assignment); a publication on a channel to every
author of the story (who drafted or revised it) and the reporter of its assignment; the time
from assignment to first publication to the assignment's reporter. Points follow the scoring
rule in force at the moment the report is of (events/scoring.py).

Hooks for what other parts of the hub add: `fast_tracks` and `adoptions` hold facts of the same
shape ([time, people, ...]) and count as soon as something folds into them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any, ClassVar

from events.assignment import Assignment
from events.capture import Capture
from events.channels import CHANNELS
from events.delivery import Delivery
from events.product import Product
from events.roles import SYSTEM
from events.scoring import ADOPTION_LEVELS, DEFAULT_RULE, ScoringRule
from events.story import Story
from projections.base import SectionsModel, event_fold, iso


class EvaluationFacts(SectionsModel):
    """What happened, by whom and when: enough to count any period afterwards."""

    name: ClassVar[str] = "evaluation"
    sections: ClassVar[dict[str, Any]] = {
        "rule": None,  # the centre's rule; None: the default
        "assignments": {},  # id -> {reporter, planned_at, topic}
        "stories": {},  # id -> {assignment, authors, captures}
        "products": {},  # id -> {story, channel, media, authors}
        "captures": {},  # id -> {at, owner}
        "done": [],  # [at, reporter, assignment]
        "publications": [],  # [at, story, channel, kind, [people], [captures]]
        "first_publication": {},  # assignment -> [at, seconds, reporter]
        "fast_tracks": [],  # [at, [people], channel]
        "adoptions": [],  # [at, [people], level]
    }

    @property
    def _d(self) -> dict[str, Any]:
        return self._s.data

    _on = event_fold()  # other events are not counted

    @_on.register
    def _(self, e: ScoringRule.Started) -> None:
        self._d["rule"] = e.rule

    @_on.register
    def _(self, e: ScoringRule.Changed) -> None:
        self._d["rule"] = e.rule

    @_on.register
    def _(self, e: Assignment.Planned) -> None:
        self._d["assignments"][str(e.originator_id)] = {
            "reporter": None,
            "planned_at": iso(e.timestamp),
            "topic": str(e.topic) if e.topic else None,
        }

    @_on.register
    def _(self, e: Assignment.ReporterAssigned) -> None:
        found = self._d["assignments"].get(str(e.originator_id))
        if found is not None:
            found["reporter"] = e.reporter

    @_on.register
    def _(self, e: Assignment.Filed) -> None:
        self._d["done"].append([iso(e.timestamp), e.actor, str(e.originator_id)])

    @_on.register
    def _(self, e: Capture.Registered) -> None:
        owner = e.actor
        if owner == SYSTEM and e.assignment is not None:  # a live recording: the reporter's
            found = self._d["assignments"].get(str(e.assignment))
            owner = (found or {}).get("reporter") or owner
        self._d["captures"][str(e.originator_id)] = {"at": iso(e.timestamp), "owner": owner}

    @_on.register
    def _(self, e: Story.Drafted) -> None:
        self._d["stories"][str(e.originator_id)] = {
            "assignment": str(e.assignment) if e.assignment else None,
            "authors": [e.actor],
            "captures": [str(c) for c in e.captures],
        }

    @_on.register
    def _(self, e: Story.Revised) -> None:
        story = self._d["stories"].get(str(e.originator_id))
        if story is not None:
            story["captures"] = [str(c) for c in e.captures]
            if e.actor not in story["authors"]:
                story["authors"].append(e.actor)

    @_on.register
    def _(self, e: Story.Published) -> None:
        key = str(e.originator_id)
        story = self._d["stories"].get(key)
        if story is None:
            return
        people, reporter = self._credited(story)
        at = iso(e.timestamp)
        for channel in e.channels:
            self._d["publications"].append([at, key, channel, "story", people, story["captures"]])
        self._first_publication(story["assignment"], e.timestamp, reporter)

    # -- adoption upward: a higher-level hub's decision on what this hub sent it ----------------

    @_on.register
    def _(self, e: Delivery.Queued) -> None:
        if e.kind == "hub" and e.action == "publish" and e.story is not None:
            # The level is the outlet's name when it names one (prefecture, province, national).
            level = e.outlet_name if e.outlet_name in ADOPTION_LEVELS else ADOPTION_LEVELS[0]
            self._d.setdefault("submitted", {})[str(e.originator_id)] = [str(e.story), level]

    @_on.register
    def _(self, e: Delivery.Decided) -> None:
        found = self._d.get("submitted", {}).get(str(e.originator_id))
        if not e.adopted or found is None:
            return
        story_id, level = found
        story = self._d["stories"].get(story_id)
        if story is None:
            return
        people = self._credited(story)[0]
        self._d["adoptions"].append([iso(e.timestamp), people, level])

    @_on.register
    def _(self, e: Product.Made) -> None:
        self._d.setdefault("products", {})[str(e.originator_id)] = {
            "story": str(e.story),
            "channel": e.channel,
            "media": _used(e),
            "authors": [e.actor],
        }

    @_on.register
    def _(self, e: Product.Edited) -> None:
        product = self._d.setdefault("products", {}).get(str(e.originator_id))
        if product is not None:
            product["media"] = _used(e)
            if e.actor not in product["authors"]:
                product["authors"].append(e.actor)

    @_on.register
    def _(self, e: Product.FastTracked) -> None:
        found = self._product(str(e.originator_id))
        if found is not None:
            product, people, _ = found
            self._d["fast_tracks"].append([iso(e.timestamp), people, product["channel"]])

    @_on.register
    def _(self, e: Product.Published) -> None:
        found = self._product(str(e.originator_id))
        if found is None:
            return
        product, people, reporter = found
        at = iso(e.timestamp)
        self._d["publications"].append(
            [at, product["story"], product["channel"], "product", people, product["media"]]
        )
        story = self._d["stories"].get(product["story"]) or {}
        self._first_publication(story.get("assignment"), e.timestamp, reporter)

    def _product(self, key: str) -> tuple[dict[str, Any], list[str], str | None] | None:
        """A product, the people credited with it (its authors, its story's, the reporter of
        the story's assignment) and that reporter."""
        product = self._d.get("products", {}).get(key)
        if product is None:
            return None
        story = self._d["stories"].get(product["story"]) or {"authors": [], "assignment": None}
        credited, reporter = self._credited(story)
        return product, sorted({*product["authors"], *credited}), reporter

    def _credited(self, story: dict[str, Any]) -> tuple[list[str], str | None]:
        """The people credited with a story (its authors, the reporter of its assignment), and
        that reporter."""
        assignment = self._d["assignments"].get(story["assignment"] or "")
        reporter = assignment["reporter"] if assignment else None
        return sorted({*story["authors"], *([reporter] if reporter else [])}), reporter

    def _first_publication(
        self, assignment: str | None, at: datetime, reporter: str | None
    ) -> None:
        found = self._d["assignments"].get(assignment or "")
        if found is None or assignment in self._d["first_publication"]:
            return
        seconds = (at - _time(found["planned_at"])).total_seconds()
        self._d["first_publication"][assignment] = [iso(at), seconds, reporter]


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rule_of(facts: dict[str, Any]) -> dict[str, Any]:
    """The scoring rule in force (the default until the centre sets one)."""
    return facts["rule"] or DEFAULT_RULE


def _blank(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "assignments_done": 0,
        "captures": 0,
        "products": 0,
        "products_per_capture": 0.0,
        "publications": dict.fromkeys(CHANNELS, 0),
        "publications_total": 0,
        "median_to_first_publication_s": None,
        "fast_tracks": 0,
        "adoptions": dict.fromkeys(ADOPTION_LEVELS, 0),
        "points": 0.0,
        "_durations": [],
        "_products": [],  # per capture of theirs: how many products used it
    }


def _used(e: Any) -> list[str]:
    """The captures a product uses: its media and its cover."""
    used = [str(m) for m in e.media]
    if e.cover is not None and str(e.cover) not in used:
        used.append(str(e.cover))
    return used


def report(facts: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """Per person and per desk, what falls in [start, end)."""
    rule = rule_of(facts)
    within = _between(start, end)
    people: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        return people.setdefault(name, _blank(name))

    for at, reporter, _ in facts["done"]:
        if within(at):
            row(reporter)["assignments_done"] += 1
    uses = Counter(c for p in facts["publications"] for c in p[5])
    for capture, item in facts["captures"].items():
        if within(item["at"]) and item["owner"] != SYSTEM:
            person = row(item["owner"])
            person["captures"] += 1
            person["_products"].append(uses[capture])
    for at, _, channel, _kind, credited, _ in facts["publications"]:
        if within(at):
            for name in credited:
                person = row(name)
                person["publications"][channel] = person["publications"].get(channel, 0) + 1
                person["publications_total"] += 1
    for at, seconds, reporter in facts["first_publication"].values():
        if within(at) and reporter:
            row(reporter)["_durations"].append(seconds)
    for at, credited, _ in facts["fast_tracks"]:
        if within(at):
            for name in credited:
                row(name)["fast_tracks"] += 1
    for at, credited, level in facts["adoptions"]:
        if within(at):
            for name in credited:
                person = row(name)
                person["adoptions"][level] = person["adoptions"].get(level, 0) + 1
    for person in people.values():
        _finish(person, rule)
    desks = [_desk(name, members, people, rule) for name, members in rule["desks"].items()]
    totals = _desk("", sorted(people), people, rule)
    return {
        "people": [public(person) for _, person in sorted(people.items())],
        "desks": [public(desk) for desk in desks],
        "totals": public(totals),
        "rule": rule,
    }


def _between(start: datetime, end: datetime) -> Any:
    def within(text: str) -> bool:
        return start <= _time(text) < end

    return within


def _finish(person: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    durations, products = person.pop("_durations"), person.pop("_products")
    person["median_to_first_publication_s"] = statistics.median(durations) if durations else None
    person["products"] = sum(products)
    person["products_per_capture"] = round(statistics.fmean(products), 2) if products else 0.0
    person["points"] = points(person, rule)
    person["_durations"], person["_products"] = durations, products  # for the desks' sums
    return person


def points(person: dict[str, Any], rule: dict[str, Any]) -> float:
    """Points by the rule: per publication on each channel, per capture, per fast track, and
    the bonus per adoption at each level."""
    total = sum(rule["channels"].get(c, 0.0) * n for c, n in person["publications"].items())
    total += rule["capture"] * person["captures"]
    total += rule["fast_track"] * person["fast_tracks"]
    total += sum(rule["adoption"].get(lv, 0.0) * n for lv, n in person["adoptions"].items())
    return round(float(total), 2)


def _desk(
    name: str, members: list[str], people: dict[str, dict[str, Any]], rule: dict[str, Any]
) -> dict[str, Any]:
    """A desk's figures: its members' sums (a publication credited to two members counts
    twice, as each is credited with it)."""
    desk = _blank(name)
    desk["members"] = list(members)
    for member in members:
        person = people.get(member)
        if person is None:
            continue
        for field in ("assignments_done", "captures", "publications_total", "fast_tracks"):
            desk[field] += person[field]
        for channel, n in person["publications"].items():
            desk["publications"][channel] = desk["publications"].get(channel, 0) + n
        for level, n in person["adoptions"].items():
            desk["adoptions"][level] = desk["adoptions"].get(level, 0) + n
        desk["_durations"].extend(person["_durations"])
        desk["_products"].extend(person["_products"])
    return _finish(desk, rule)


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A row without its working lists."""
    return {k: v for k, v in row.items() if not k.startswith("_")}
