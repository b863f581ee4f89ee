"""The centre's scoring rule for the evaluation (考核, 积分): points per publication on each
channel, per capture, per fast-tracked product, a bonus per level of adoption upward, and which
people make up each desk. One rule for the centre; each change is an event, so the evaluation of
a past period can be shown with the rule as it was then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack

from events.base import Kept, Making, NewsroomAggregate, require_one_of, require_text
from events.channels import CHANNELS, parse_channels
from events.errors import InvalidValue
from events.messages import N_
from events.roles import Actor, Role
from events.user import check_name

ADOPTION_LEVELS = ("prefecture", "province", "national")
ADOPTION_WORDS = {
    "prefecture": N_("prefecture"),
    "province": N_("province"),
    "national": N_("national"),
}
RULE_KEEPERS = (Role.CHIEF_EDITOR,)
MAX_POINTS = 10_000.0

# What a centre starts with until its chief editor sets its own (a broadcast item takes more
# work than a post; adoption higher up counts for more).
DEFAULT_RULE: dict[str, Any] = {
    "channels": {
        "tv": 10.0,
        "radio": 6.0,
        "paper": 8.0,
        "website": 3.0,
        "app": 3.0,
        "wechat": 5.0,
        "weibo": 2.0,
        "douyin": 4.0,
        "outdoor": 1.0,
        "emergency": 2.0,
    },
    "capture": 1.0,
    "fast_track": 0.0,
    "adoption": {"prefecture": 10.0, "province": 20.0, "national": 50.0},
    "desks": {},
}


def _points(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue("points for {what} must be a number", what=what)
    if not 0 <= value <= MAX_POINTS:
        raise InvalidValue(
            "points for {what} must be from 0 to {most}", what=what, most=int(MAX_POINTS)
        )
    return float(value)


def checked_rule(
    channels: dict[str, Any],
    capture: Any,
    fast_track: Any,
    adoption: dict[str, Any],
    desks: dict[str, list[str]],
) -> dict[str, Any]:
    """The rule with every channel and level present (unnamed ones score 0), or a refusal."""
    parse_channels(channels, allow_empty=True)
    for level in adoption:
        require_one_of(
            ADOPTION_LEVELS,
            N_("unknown adoption level '{value}'; levels are: {known}"),
            value=level,
        )
    kept_desks: dict[str, list[str]] = {}
    for desk, members in desks.items():
        name = require_text(desk, N_("a desk's name"), max_length=60)
        kept_desks[name] = sorted({check_name(member) for member in members})
    return {
        "channels": {c: _points(channels.get(c, 0), c) for c in CHANNELS},
        "capture": _points(capture, "capture"),
        "fast_track": _points(fast_track, "fast_track"),
        "adoption": {lv: _points(adoption.get(lv, 0), lv) for lv in ADOPTION_LEVELS},
        "desks": kept_desks,
    }


class Rule(Kept):
    """The rule as `checked_rule` gives it."""

    rule: dict[str, Any]


class ScoringRule(Rule, NewsroomAggregate):
    """The centre's scoring rule (one aggregate, found by a fixed name)."""

    class Started(Rule, NewsroomAggregate.Created):
        reason: str

    class Changed(NewsroomAggregate.Event):
        rule: dict[str, Any]
        reason: str

        def apply(self, s: ScoringRule) -> None:
            s.rule = self.rule

    @classmethod
    def start(cls, *, rule: dict[str, Any], reason: str, **making: Unpack[Making]) -> ScoringRule:
        making["actor"].require(*RULE_KEEPERS, doing=N_("set the scoring rule"))
        return cls._make(
            cls.Started,
            making,
            rule=rule,
            reason=require_text(reason, N_("a reason for the change"), max_length=2000),
        )

    def change(self, *, at: datetime, actor: Actor, rule: dict[str, Any], reason: str) -> None:
        actor.require(*RULE_KEEPERS, doing=N_("set the scoring rule"))
        self._record(
            self.Changed,
            at,
            actor.name,
            rule=rule,
            reason=require_text(reason, N_("a reason for the change"), max_length=2000),
        )
