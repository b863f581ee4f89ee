"""The duty roster's rules: shifts, handovers signed by both people, the inspection checklist."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from events.duty import Handover, Inspection, Shift
from events.errors import InvalidValue, NotPermitted, RuleBroken
from tests.events.helpers import CHIEF, DESK_HEAD, DISPATCHER, EDITOR, at, new, person

H = timedelta(hours=1)


def shift(**changes: object) -> Shift:
    now = at()
    fields = {
        "at": now,
        "actor": DESK_HEAD,
        "start": now + H,
        "end": now + 9 * H,
        "on_duty": ["dana", "eddie", "dana"],
        "leader": "chen",
    }
    return new(Shift.schedule, fields, **changes)


def test_a_shift_names_the_people_on_duty_once_and_its_leader() -> None:
    s = shift()
    [event] = s.collect_events()
    assert isinstance(event, Shift.Scheduled)
    assert (event.on_duty, event.leader, event.actor) == (["dana", "eddie"], "chen", "dora")


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        ({"actor": DISPATCHER}, NotPermitted, "dana may not set the duty roster"),
        ({"end": at()}, InvalidValue, "must end after it starts"),
        ({"end": at() + 30 * H}, InvalidValue, "at most 24 hours"),
        (
            {"start": at() + timedelta(days=70), "end": at() + timedelta(days=70, hours=8)},
            InvalidValue,
            "two months ahead",
        ),
        ({"start": at() - 9 * H, "end": at() - H}, RuleBroken, "is over"),
        ({"on_duty": []}, InvalidValue, "needs someone on duty"),
    ],
)
def test_a_shift_is_refused_when(changes: dict[str, object], error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        shift(**changes)


def test_a_cancelled_shift_says_why_and_is_cancelled_once() -> None:
    s = shift()
    s.cancel(at=at(), actor=CHIEF, reason="merged with the night desk")
    assert s.cancelled
    with pytest.raises(RuleBroken, match="cancelled already"):
        s.cancel(at=at(), actor=CHIEF, reason="again")


def handover(**changes: object) -> Handover:
    fields = {
        "actor": DISPATCHER,
        "shift": None,
        "arriving": "eddie",
        "note": "水位仍在上涨",
        "open_warnings": [{"id": "w", "level": "red", "title": "桥", "state": "raised"}],
        "overdue": [],
        "on_air": [{"kind": "output", "name": "main", "on_air": "truck-1"}],
    }
    return new(Handover.write, fields, **changes)


def test_a_handover_is_countersigned_by_the_arriving_person_only_once() -> None:
    h = handover()
    with pytest.raises(NotPermitted, match="only eddie countersigns"):
        h.countersign(at=at(), actor=CHIEF)
    h.countersign(at=at(), actor=EDITOR)
    assert h.signed
    with pytest.raises(RuleBroken, match="countersigned already"):
        h.countersign(at=at(), actor=EDITOR)


def test_nobody_hands_over_to_themselves() -> None:
    with pytest.raises(RuleBroken, match="between two people"):
        handover(actor=EDITOR)


def test_the_inspection_is_ticked_item_by_item_and_completes_when_all_are() -> None:
    tess = person("tess", "technician")
    i = Inspection.start(id=uuid4(), at=at(), actor=tess, shift=None)
    i.check(at=at(), actor=tess, item="signal", ok=True, finding="")
    with pytest.raises(RuleBroken, match="signal is ticked already"):
        i.check(at=at(), actor=tess, item="signal", ok=True, finding="")
    with pytest.raises(InvalidValue, match="say what was found"):
        i.check(at=at(), actor=tess, item="recording", ok=False, finding=" ")
    with pytest.raises(InvalidValue, match="unknown inspection item 'tower'"):
        i.check(at=at(), actor=tess, item="tower", ok=True, finding="")
    with pytest.raises(NotPermitted, match="this inspection is tess's, not dana's"):
        i.check(at=at(), actor=DISPATCHER, item="output", ok=True, finding="")
    with pytest.raises(RuleBroken, match="still lacks backup path, recording, output"):
        i.complete(at=at(), actor=tess)
    i.check(at=at(), actor=tess, item="backup_path", ok=True, finding="")
    i.check(at=at(), actor=tess, item="recording", ok=False, finding="2 号录像机报警")
    i.check(at=at(), actor=tess, item="output", ok=True, finding="")
    i.complete(at=at(), actor=tess)
    kinds = [type(e).__name__ for e in i.collect_events()]
    assert kinds == ["Started", "Checked", "Checked", "Checked", "Checked", "Completed"]
    with pytest.raises(RuleBroken, match="is complete"):
        i.complete(at=at(), actor=tess)
