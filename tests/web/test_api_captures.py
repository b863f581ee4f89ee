"""The capture library through the real server: an upload found, read, and fetched (with Range)."""

from __future__ import annotations

import hashlib
import time
from typing import Any
from uuid import UUID, uuid4

import httpx

from hub.commands.stories import DraftStory, ReviseStory
from tests.conftest import Staff, capture_of, capture_of_file
from tests.web.conftest import bearer
from tests.web.test_uploads import JPEG_HEAD, assignment_of, clip, patch, start


def listed(client: httpx.Client, staff: Staff, who: str, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/captures{query}", headers=bearer(staff, who))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["captures"]
    return items


def eventually_listed(client: httpx.Client, staff: Staff, capture: str) -> dict[str, Any]:
    """The list comes from the read models, which follow the log within moments."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for item in listed(client, staff, "dana"):
            if item["id"] == capture:
                return item
        time.sleep(0.05)
    raise AssertionError(f"capture {capture} never listed")


def uploaded(client: httpx.Client, staff: Staff, data: bytes, assignment: str) -> str:
    about = {"filename": "堤坝 levee.mp4", "filetype": "video/mp4", "assignment": assignment}
    url = start(client, staff, "rui", len(data), **about)
    done = patch(client, staff, "rui", url, 0, data)
    assert done.status_code == 204, done.text
    return done.headers["capture-id"]


def test_an_upload_is_listed_read_and_fetched(client: httpx.Client, staff: Staff) -> None:
    data = clip(50_000)
    assignment = assignment_of(staff, "rui")
    capture = uploaded(client, staff, data, assignment)
    item = eventually_listed(client, staff, capture)
    assert item["kind"] == "upload" and item["owner"] == "rui" and item["reporter"] == "rui"
    assert item["assignment"] == assignment and item["size"] == len(data)
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    assert item["file"] == f"/api/captures/{capture}/file"
    assert "path" not in item  # where the node keeps it is the node's business
    assert [i["id"] for i in listed(client, staff, "eddie", f"?assignment={assignment}")] == [
        capture
    ]
    assert listed(client, staff, "eddie", "?kind=recording") == []
    assert len(listed(client, staff, "eddie", "?limit=1")) == 1

    detail = client.get(f"/api/captures/{capture}", headers=bearer(staff, "eddie"))
    assert detail.status_code == 200 and detail.json()["filename"] == "堤坝 levee.mp4"

    whole = client.get(f"/api/captures/{capture}/file", headers=bearer(staff, "eddie"))
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["etag"] == f'"{item["sha256"]}"'
    assert whole.headers["accept-ranges"] == "bytes"
    assert "filename*=UTF-8''%E5%A0%A4%E5%9D%9D%20levee.mp4" in whole.headers["content-disposition"]
    part = client.get(
        f"/api/captures/{capture}/file",
        headers={**bearer(staff, "eddie"), "Range": "bytes=1000-1999"},
    )
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"


def test_a_reporter_sees_their_own_captures_and_the_wall_fetches_none(
    client: httpx.Client, staff: Staff
) -> None:
    capture = uploaded(client, staff, clip(100), assignment_of(staff, "rui"))
    eventually_listed(client, staff, capture)
    assert capture in {i["id"] for i in listed(client, staff, "rui")}
    assert listed(client, staff, "lin") == []
    for path in (f"/api/captures/{capture}", f"/api/captures/{capture}/file"):
        refused = client.get(path, headers=bearer(staff, "lin"))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert client.get(path, headers=bearer(staff, "rui")).status_code == 200
        assert client.get(path, headers=bearer(staff, "dana")).status_code == 200
    for path in ("/api/captures", f"/api/captures/{capture}", f"/api/captures/{capture}/file"):
        assert client.get(path, headers=bearer(staff, "wally")).status_code == 403, path


def test_a_file_this_node_does_not_keep_is_a_clear_404(client: httpx.Client, staff: Staff) -> None:
    app, req = staff.newsroom, staff.req
    sha = "0" * 64

    def registered(path: str) -> str:
        recording = capture_of(
            "truck.mp4", "video/mp4", kind="recording", size=10, sha256=sha, details={"path": path}
        )
        return str(app.handle(req("tess"), recording).id)

    elsewhere = registered(str(staff.newsroom.settings.data_dir / "recordings" / "gone.mp4"))
    outside = registered("/etc/hostname")
    climbing = registered("../../etc/hostname")
    for capture in (elsewhere, outside, climbing):
        response = client.get(f"/api/captures/{capture}/file", headers=bearer(staff, "eddie"))
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "file_elsewhere"
    for unknown in (str(uuid4()), "not-a-uuid"):
        response = client.get(f"/api/captures/{unknown}", headers=bearer(staff, "eddie"))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    for query in ("kind=photo", "limit=0", "limit=5000", "assignment=nope"):
        bad = client.get(f"/api/captures?{query}", headers=bearer(staff, "eddie"))
        assert bad.status_code == 400, query


def test_the_library_knows_which_stories_use_a_capture(client: httpx.Client, staff: Staff) -> None:
    capture = uploaded(client, staff, clip(100), assignment_of(staff, "rui"))
    app, req = staff.newsroom, staff.req
    story = app.handle(
        req("rui"), DraftStory(assignment=None, title="Levee", body="v1", captures=[UUID(capture)])
    ).id
    deadline = time.monotonic() + 10
    while eventually_listed(client, staff, capture)["stories"] != [str(story)]:
        assert time.monotonic() < deadline, "the story never showed on its capture"
        time.sleep(0.05)
    used = listed(client, staff, "eddie", f"?story={story}")
    assert [i["id"] for i in used] == [capture]
    app.handle(req("rui"), ReviseStory(id=story, title="Levee", body="v2", captures=[]))
    while eventually_listed(client, staff, capture)["stories"]:
        assert time.monotonic() < deadline, "the revision never took the capture off"
        time.sleep(0.05)


def registered_file(staff: Staff, name: str, declared: str, data: bytes) -> str:
    """A capture whose type was taken from its sender's word (as uploads once were)."""
    folder = staff.newsroom.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    capture = capture_of_file(folder / name, staff.newsroom.settings.data_dir, declared)
    return str(staff.newsroom.handle(staff.req("rui"), capture).id)


def test_files_are_served_inert(client: httpx.Client, staff: Staff) -> None:
    """Media inline under the type its content shows; anything else downloads; all sandboxed."""
    served = {
        name: client.get(
            f"/api/captures/{registered_file(staff, name, declared, data)}/file",
            headers=bearer(staff, "eddie"),
        )
        for name, declared, data in (
            ("clip.mp4", "video/mp4", clip(1000)),
            ("photo.jpg", "text/html", JPEG_HEAD + b"<html><script>alert(1)</script>"),
            ("page.html", "text/html", b"<!doctype html><script>alert(1)</script>"),
            ("map.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
            ("notes.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n"),
        )
    }
    for name, response in served.items():
        assert response.status_code == 200, name
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = response.headers["content-security-policy"]
        assert policy.startswith("sandbox;") and "default-src 'none'" in policy, name
        assert "script-src" not in policy and "frame-ancestors 'none'" not in policy
    inline = {n: r.headers["content-type"] for n, r in served.items() if _shown(r)}
    assert inline == {"clip.mp4": "video/mp4", "photo.jpg": "image/jpeg"}
    for name in ("page.html", "map.svg", "notes.pdf"):
        assert served[name].headers["content-type"] == "application/octet-stream"
        assert served[name].headers["content-disposition"].startswith("attachment;")
    part = client.get(
        served["clip.mp4"].url, headers={**bearer(staff, "eddie"), "Range": "bytes=0-99"}
    )
    assert part.status_code == 206 and part.headers["content-type"] == "video/mp4"
    assert part.headers["content-security-policy"].startswith("sandbox;")


def _shown(response: httpx.Response) -> bool:
    return response.headers["content-disposition"].startswith("inline;")


def test_the_library_lists_refused_uploads_to_their_sender_and_editors(
    client: httpx.Client, staff: Staff
) -> None:
    page = b"<html>not a photo</html>"
    url = start(client, staff, "rui", len(page), filename="现场.jpg", filetype="image/jpeg")
    assert patch(client, staff, "rui", url, 0, page).status_code == 422
    deadline = time.monotonic() + 10
    while not refusals(client, staff, "eddie"):
        assert time.monotonic() < deadline, "the refusal was never listed"
        time.sleep(0.05)
    [item] = refusals(client, staff, "eddie")
    assert item["id"] == url.rsplit("/", 1)[1] and item["owner"] == "rui"
    assert item["filename"] == "现场.jpg" and item["declared_type"] == "image/jpeg"
    assert item["detected_type"] is None and item["size"] == len(page)
    assert "recognises" in item["reason"] and item["refused_at"].endswith("Z")
    assert refusals(client, staff, "rui") == [item]
    assert refusals(client, staff, "lin") == []
    assert listed(client, staff, "eddie") == []
    bad = client.get("/api/captures/refused?limit=0", headers=bearer(staff, "eddie"))
    assert bad.status_code == 400


def refusals(client: httpx.Client, staff: Staff, who: str) -> list[dict[str, Any]]:
    response = client.get("/api/captures/refused", headers=bearer(staff, who))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["refused"]
    return items


def test_the_library_is_searched_by_assignment_reporter_kind_media_and_words(
    client: httpx.Client, staff: Staff
) -> None:
    """What the desk picks captures with: each filter alone, together, and with the limit."""
    ruis, lins = assignment_of(staff, "rui"), assignment_of(staff, "lin")

    def register(
        who: str, assignment: str | None, name: str, kind: str, type_: str, **details: str
    ) -> str:
        capture = capture_of(
            name,
            type_,
            assignment=UUID(assignment) if assignment else None,
            kind=kind,
            details={"path": f"uploads/{uuid4()}.data", **details},
        )
        return str(staff.newsroom.handle(staff.req(who), capture).id)

    levee = register("rui", ruis, "Levee breach.JPG", "upload", "image/jpeg")
    flood = register("rui", ruis, "flood.mp4", "upload", "video/mp4", title="洪水 at the levee")
    market = register("lin", lins, "market.webm", "recording", "video/webm", notes="Night market")
    voice = register("tess", lins, "voice.m4a", "upload", "audio/mp4")
    eventually_listed(client, staff, voice)

    def ids(query: str, who: str = "eddie") -> set[str]:
        return {item["id"] for item in listed(client, staff, who, query)}

    assert ids(f"?assignment={ruis}") == {levee, flood}
    assert ids("?reporter=lin") == {market, voice}
    assert ids("?reporter=tess") == {voice}  # who registered it counts too
    assert ids("?kind=recording") == {market}
    assert ids("?media=video") == {flood, market}
    assert ids("?media=photo") == {levee}
    assert ids("?media=audio") == {voice}
    assert ids("?q=LEVEE") == {levee, flood}  # file name or title, case ignored
    assert ids("?q=levee%20breach") == {levee}  # every word
    assert ids("?q=night") == {market}  # notes
    assert ids("?q=洪水") == {flood}
    assert ids("?q=levee&media=video&reporter=rui") == {flood}
    assert ids("?q=nothing-like-it") == set()
    assert len(listed(client, staff, "eddie", "?reporter=rui&limit=1")) == 1
    assert ids("?reporter=lin", who="rui") == set()  # a reporter still sees only their own
    assert ids("?q=levee", who="rui") == {levee, flood}
    refused = client.get("/api/captures?media=hologram", headers=bearer(staff, "eddie"))
    assert refused.status_code == 400  # a query that does not fit
