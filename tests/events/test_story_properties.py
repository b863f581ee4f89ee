"""Property: no sequence of commands publishes a story lacking three valid approvals.

Random sequences of revise / submit / review / publish / retract by random people are run
against the aggregate; refused commands change nothing. An independent checker then replays the
recorded events and, at every publication, demands three approvals of the published revision by
three distinct people holding the editor, desk_head and chief_editor roles, in that order, given
after the last submission of that revision and with no rejection or edit in between.
"""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import uuid4

from hypothesis import event, given, settings
from hypothesis import strategies as st

from events.errors import DomainError
from events.roles import Actor
from events.story import Story
from tests.events.helpers import at, person

PEOPLE = [
    person("rui", "reporter"),
    person("eddie", "editor"),
    person("erin", "editor"),
    person("dora", "desk_head"),
    person("chen", "chief_editor"),
    person("max", "editor", "desk_head", "chief_editor"),
    person("root", "admin"),
]
ROLES_OF = {p.name: p.roles for p in PEOPLE}
LEVEL_ROLES = ("editor", "desk_head", "chief_editor")

REVIEWERS = [p for p in PEOPLE if p.roles & set(LEVEL_ROLES)]
channels = st.sampled_from(["tv", "wechat", "weibo"])
any_command = st.tuples(
    st.sampled_from(["revise", "submit", "approve", "reject", "publish", "retract"]),
    st.sampled_from(PEOPLE),
    channels,
)
# A run at the happy path (submit, three reviews, publish) by plausible people, so that many
# examples do reach a publication; random commands around it try to sneak one through.
happy_path = st.tuples(
    st.sampled_from(PEOPLE[:2]),
    st.lists(st.sampled_from(REVIEWERS), min_size=3, max_size=3),
    st.sampled_from(PEOPLE),
    channels,
).map(
    lambda t: [
        ("submit", t[0], t[3]),
        *[("approve", reviewer, t[3]) for reviewer in t[1]],
        ("publish", t[2], t[3]),
    ]
)
commands = st.lists(st.one_of(any_command.map(lambda c: [c]), happy_path), max_size=12).map(
    lambda blocks: [command for block in blocks for command in block]
)


def run(story: Story, command: str, actor: Actor, channel: str) -> None:
    moment = at()
    if command == "revise":
        story.revise(at=moment, actor=actor, title="t", body=str(moment), captures=[])
    elif command == "submit":
        story.submit(at=moment, actor=actor)
    elif command in ("approve", "reject"):
        story.review(at=moment, actor=actor, decision=command, reason="because")
    elif command == "publish":
        story.publish(at=moment, actor=actor, channels=[channel])
    else:
        story.retract(at=moment, actor=actor, channel=channel, reason="because")


def check_publications(events: list[Any]) -> int:
    """Replays the events independently; returns how many publications were checked."""
    revision, approvals, checked = 1, [], 0
    for e in events:
        if isinstance(e, Story.Revised):
            revision, approvals = e.revision, []
        elif isinstance(e, Story.Submitted | Story.Rejected):
            approvals = []
        elif isinstance(e, Story.Approved):
            assert e.revision == revision
            approvals.append(e.actor)
        elif isinstance(e, Story.Published):
            assert e.revision == revision
            assert len(approvals) == 3, approvals
            assert len(set(approvals)) == 3, approvals
            for level, reviewer in enumerate(approvals):
                assert LEVEL_ROLES[level] in ROLES_OF[reviewer], (level, reviewer)
            checked += 1
    return checked


@settings(max_examples=400, deadline=None)
@given(commands)
def test_no_publication_without_three_valid_approvals(sequence: list[Any]) -> None:
    story = Story.draft(
        id=uuid4(), at=at(), actor=PEOPLE[0], assignment=None, title="t", body="b", captures=[]
    )
    for command, actor, channel in sequence:
        before = story.version
        try:
            run(story, command, actor, channel)
        except DomainError:
            assert story.version == before  # a refused command records nothing
    published = check_publications(story.collect_events())
    event("reached a publication" if published else "no publication")


def test_the_checker_itself_catches_a_forged_publication() -> None:
    story = Story.draft(
        id=uuid4(), at=at(), actor=PEOPLE[0], assignment=None, title="t", body="b", captures=[]
    )
    story.submit(at=at(), actor=PEOPLE[0])
    story.review(at=at(), actor=PEOPLE[1], decision="approve", reason="ok")
    # Forge what the rules forbid: publish after one approval, bypassing the command.
    story.trigger_event(Story.Published, timestamp=at(), actor="chen", revision=1, channels=["tv"])
    try:
        check_publications(story.collect_events())
    except AssertionError:
        return
    raise AssertionError("the checker accepted a publication with one approval")


@settings(max_examples=50, deadline=None)
@given(st.permutations(["eddie", "dora", "chen"]))
def test_approvals_out_of_order_never_reach_publication(order: list[str]) -> None:
    story = Story.draft(
        id=uuid4(), at=at(), actor=PEOPLE[0], assignment=None, title="t", body="b", captures=[]
    )
    story.submit(at=at(), actor=PEOPLE[0])
    by_name = {p.name: p for p in PEOPLE}
    for name in order:
        with contextlib.suppress(DomainError):
            story.review(at=at(), actor=by_name[name], decision="approve", reason="ok")
    assert (story.state == "approved") == (order == ["eddie", "dora", "chen"])
