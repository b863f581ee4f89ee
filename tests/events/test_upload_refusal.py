"""What the newsroom keeps from an upload, the refusal of the rest, and the library listing them."""

from __future__ import annotations

from uuid import uuid4

import pytest

from events.capture import KEPT_TYPES, MEDIA, Upload, refusal
from events.errors import InvalidValue, NotPermitted
from events.roles import Actor
from projections.base import Logged
from projections.captures import CaptureLibrary
from tests.events.helpers import DISPATCHER, EDITOR, REPORTER, at


def refuse(
    actor: Actor = REPORTER,
    detected: str | None = None,
    filename: str = "现场.html",
    size: int = 66,
) -> Upload:
    return Upload.refuse(
        id=uuid4(),
        at=at(),
        actor=actor,
        assignment=None,
        filename=filename,
        declared_type="image/jpeg",
        detected_type=detected,
        size=size,
    )


def test_photos_video_audio_and_documents_are_kept_and_nothing_else() -> None:
    assert {KEPT_TYPES[t] for t in ("image/jpeg", "video/mp4", "audio/mpeg")} == set(MEDIA)
    assert KEPT_TYPES["application/pdf"] == "document"
    for kept in KEPT_TYPES:
        assert refusal(kept) is None
    assert refusal(None) == "its content is of no type the hub recognises"
    for refused in ("application/x-msdownload", "application/zip", "image/svg+xml", "text/html"):
        assert refused in (refusal(refused) or "")


def test_a_refusal_says_why_and_what_the_file_turned_out_to_be() -> None:
    upload = refuse(detected="application/x-executable", filename="  tool.jpg ")
    [event] = upload.collect_events()
    assert isinstance(event, Upload.Refused)
    assert event.filename == "tool.jpg" and event.declared_type == "image/jpeg"
    assert event.detected_type == "application/x-executable" and event.actor == "rui"
    assert event.reason == refusal("application/x-executable")


def test_only_what_the_newsroom_would_not_keep_is_refused_and_only_by_uploaders() -> None:
    with pytest.raises(InvalidValue, match="image/png is a type the newsroom keeps"):
        refuse(detected="image/png")
    with pytest.raises(InvalidValue, match="negative"):
        refuse(size=-1)
    with pytest.raises(NotPermitted):
        refuse(actor=DISPATCHER)
    assert refuse(actor=EDITOR).owner == "eddie"


def test_the_library_lists_refusals_newest_first_and_to_their_sender() -> None:
    library = CaptureLibrary()
    mine, theirs = refuse(), refuse(actor=EDITOR, detected="application/zip", filename="a.zip")
    for position, upload in enumerate((mine, theirs), start=1):
        [event] = upload.collect_events()
        changes = library.apply(Logged(position, event.timestamp, event))
        assert changes == [["set", "refused", upload.id.hex, library.refusals()[0]]]
    assert [r["filename"] for r in library.refusals()] == ["a.zip", "现场.html"]
    [own] = library.refusals(person="rui")
    assert own["id"] == mine.id.hex and own["detected_type"] is None
    assert own["reason"] == refusal(None) and own["refused_at"].endswith("Z")
    assert library.listing() == []


def test_a_checkpoint_from_before_refusals_still_loads() -> None:
    older = CaptureLibrary.empty()
    del older["refused"]
    assert CaptureLibrary(older).refusals() == []
