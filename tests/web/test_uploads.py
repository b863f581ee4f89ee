"""Resumable uploads (tus 1.0.0) through the real server, with a connection dropped mid-way."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
from urllib.parse import urlsplit
from uuid import UUID

import httpx
import pytest

from events.base import Location
from events.capture import Capture
from hub.commands.assignments import AssignReporter, PlanAssignment
from hub.demo_pictures import landscape
from tests.conftest import Staff
from tests.web.conftest import bearer

TUS = {"Tus-Resumable": "1.0.0"}
PATCH_TYPE = {"Content-Type": "application/offset+octet-stream"}
# What an upload is comes from its first bytes: an MP4's `ftyp` box, a JPEG's start of image.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
JPEG_HEAD = b"\xff\xd8\xff\xe0"


def clip(size: int) -> bytes:
    """`size` bytes that an MP4's signature opens."""
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


def metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def start(client: httpx.Client, staff: Staff, who: str, length: int, **fields: str) -> str:
    headers = {**bearer(staff, who), **TUS, "Upload-Length": str(length)}
    if fields:
        headers["Upload-Metadata"] = metadata(**fields)
    response = client.post("/api/uploads", headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["tus-resumable"] == "1.0.0"
    return response.headers["location"]


def patch(
    client: httpx.Client, staff: Staff, who: str, url: str, offset: int, data: bytes
) -> httpx.Response:
    headers = {**bearer(staff, who), **TUS, **PATCH_TYPE, "Upload-Offset": str(offset)}
    return client.patch(url, content=data, headers=headers)


def offset_of(client: httpx.Client, staff: Staff, who: str, url: str) -> int:
    response = client.head(url, headers={**bearer(staff, who), **TUS})
    assert response.status_code == 200 and response.headers["tus-resumable"] == "1.0.0"
    return int(response.headers["upload-offset"])


def drop_after(base: str, staff: Staff, url: str, offset: int, announced: int, sent: bytes) -> None:
    """Starts a PATCH of `announced` bytes, sends only `sent`, and hangs up."""
    parts = urlsplit(base)
    head = (
        f"PATCH {url} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {staff.tokens['rui']}\r\nTus-Resumable: 1.0.0\r\n"
        f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
        f"Content-Length: {announced}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port)) as conn:
        conn.sendall(head.encode() + sent)
        conn.shutdown(socket.SHUT_WR)


def resume(client: httpx.Client, staff: Staff, url: str, data: bytes) -> httpx.Response:
    """What a tus client does after a drop: ask the offset, send the rest; again on a conflict.

    Whatever the server read before the drop is kept; it may not have read all that was sent
    (nor finished with the dropped request when the HEAD arrives), hence the retry on 409.
    """
    for _ in range(20):
        offset = offset_of(client, staff, "rui", url)
        assert 100_000 <= offset <= 150_000
        response = patch(client, staff, "rui", url, offset, data[offset:])
        if response.status_code != 409:
            return response
    raise AssertionError("the upload never resumed")


def assignment_of(staff: Staff, reporter: str) -> str:
    app, req = staff.newsroom, staff.req
    aid = app.handle(
        req("dana"), PlanAssignment(title="Fire", brief="", location=Location("x", 1, 2))
    ).id
    app.handle(req("dana"), AssignReporter(id=aid, reporter=reporter))
    return str(aid)


def test_the_protocol_is_announced(client: httpx.Client, staff: Staff) -> None:
    response = client.options("/api/uploads")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert response.headers["tus-resumable"] == "1.0.0"
    assert int(response.headers["tus-max-size"]) > 0
    assert "creation" in response.headers["tus-extension"]


def test_an_upload_resumes_after_a_dropped_connection(
    client: httpx.Client, hub_url: str, staff: Staff
) -> None:
    data = clip(300_000)
    assignment = assignment_of(staff, "rui")
    about = {"filename": "levee.mp4", "filetype": "video/mp4", "assignment": assignment}
    url = start(client, staff, "rui", len(data), **about)
    assert offset_of(client, staff, "rui", url) == 0
    first = patch(client, staff, "rui", url, 0, data[:100_000])
    assert first.status_code == 204 and first.headers["upload-offset"] == "100000"
    assert "capture-id" not in first.headers
    drop_after(hub_url, staff, url, 100_000, 200_000, data[100_000:150_000])
    last = resume(client, staff, url, data)
    assert last.status_code == 204 and last.headers["upload-offset"] == str(len(data))
    capture_id = last.headers["capture-id"]
    capture = staff.newsroom.get(Capture, UUID(capture_id))
    assert capture.sha256 == hashlib.sha256(data).hexdigest()
    assert capture.size == len(data) and capture.kind == "upload" and capture.owner == "rui"
    assert capture.filename == "levee.mp4" and capture.content_type == "video/mp4"
    assert str(capture.assignment) == assignment
    done = client.head(url, headers={**bearer(staff, "rui"), **TUS})
    assert done.headers["capture-id"] == capture_id
    again = patch(client, staff, "rui", url, len(data), b"")
    assert again.status_code == 204 and again.headers["capture-id"] == capture_id
    stored = staff.newsroom.settings.data_dir / "uploads" / f"{url.rsplit('/', 1)[1]}.data"
    assert stored.read_bytes() == data


def test_a_wrong_offset_is_a_conflict(client: httpx.Client, staff: Staff) -> None:
    url = start(client, staff, "rui", 10, filename="a.jpg")
    assert patch(client, staff, "rui", url, 0, b"12345").status_code == 204
    wrong = patch(client, staff, "rui", url, 2, b"345")
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "offset_mismatch"
    assert wrong.headers["tus-resumable"] == "1.0.0"
    assert offset_of(client, staff, "rui", url) == 5
    past = patch(client, staff, "rui", url, 5, b"67890-too-long")
    assert past.status_code == 400


def test_protocol_refusals(client: httpx.Client, staff: Staff) -> None:
    url = start(client, staff, "rui", 10)
    old = client.head(url, headers={**bearer(staff, "rui"), "Tus-Resumable": "0.2.2"})
    assert old.status_code == 412 and old.headers["tus-version"] == "1.0.0"
    plain = client.patch(
        url, content=b"x", headers={**bearer(staff, "rui"), **TUS, "Upload-Offset": "0"}
    )
    assert plain.status_code == 415
    no_length = client.post("/api/uploads", headers={**bearer(staff, "rui"), **TUS})
    assert no_length.status_code == 400
    nowhere = "/api/uploads/0123456789abcdef0123456789abcdef"
    missing = client.head(nowhere, headers={**bearer(staff, "rui"), **TUS})
    assert missing.status_code == 404
    garbled = {**bearer(staff, "rui"), **TUS, "Upload-Length": "1", "Upload-Metadata": "x !!"}
    assert client.post("/api/uploads", headers=garbled).status_code == 400


def test_the_size_limit_comes_from_configuration(
    client: httpx.Client, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_UPLOAD_MAX_BYTES", "1000")
    assert client.options("/api/uploads").headers["tus-max-size"] == "1000"
    headers = {**bearer(staff, "rui"), **TUS, "Upload-Length": "1001"}
    too_big = client.post("/api/uploads", headers=headers)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "upload_too_large"


def test_only_the_uploader_or_staff_continue_an_upload(client: httpx.Client, staff: Staff) -> None:
    url = start(client, staff, "rui", 4)
    assert client.head(url, headers={**bearer(staff, "lin"), **TUS}).status_code == 403
    assert patch(client, staff, "lin", url, 0, b"ab").status_code == 403
    assert offset_of(client, staff, "tess", url) == 0
    assert patch(client, staff, "tess", url, 0, JPEG_HEAD).status_code == 204
    finished = client.head(url, headers={**bearer(staff, "rui"), **TUS})
    capture = staff.newsroom.get(Capture, UUID(finished.headers["capture-id"]))
    assert capture.owner == "rui"
    for who in ("wally", "dana", "audrey"):
        refused = client.post(
            "/api/uploads", headers={**bearer(staff, who), **TUS, "Upload-Length": "1"}
        )
        assert refused.status_code == 403, who
    theirs = assignment_of(staff, "lin")
    headers = {**bearer(staff, "rui"), **TUS, "Upload-Length": "1"}
    headers["Upload-Metadata"] = metadata(assignment=theirs)
    assert client.post("/api/uploads", headers=headers).status_code == 403


def test_an_upload_can_be_abandoned(client: httpx.Client, staff: Staff) -> None:
    url = start(client, staff, "eddie", 8)
    assert client.delete(url, headers={**bearer(staff, "eddie"), **TUS}).status_code == 204
    assert client.head(url, headers={**bearer(staff, "eddie"), **TUS}).status_code == 404


def finished(
    client: httpx.Client, staff: Staff, who: str, data: bytes, **about: str
) -> httpx.Response:
    """Uploads `data` in one PATCH and answers the last response."""
    url = start(client, staff, who, len(data), **about)
    return patch(client, staff, who, url, 0, data)


def test_an_upload_is_typed_by_its_content_not_its_name(client: httpx.Client, staff: Staff) -> None:
    photo = landscape(1)
    done = finished(client, staff, "rui", photo, filename="clip.mp4", filetype="video/mp4")
    assert done.status_code == 204, done.text
    capture = staff.newsroom.get(Capture, UUID(done.headers["capture-id"]))
    assert capture.content_type == "image/png" and capture.filename == "clip.mp4"
    assert capture.details["declared_type"] == "video/mp4"


def test_a_page_a_drawing_or_a_program_is_refused(client: httpx.Client, staff: Staff) -> None:
    page = b"<!doctype html><script>fetch('/api/me')</script>"
    drawing = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    program = b"MZ\x90\x00" + bytes(300)
    assignment = assignment_of(staff, "rui")
    answers = {
        name: finished(client, staff, "rui", data, filename=name, filetype=declared, **about)
        for name, declared, data, about in (
            ("photo.jpg", "image/jpeg", page, {"assignment": assignment}),
            ("map.svg", "image/svg+xml", drawing, {}),
            ("player.exe", "video/mp4", program, {}),
        )
    }
    for name, answer in answers.items():
        assert answer.status_code == 422, answer.text
        assert answer.headers["tus-resumable"] == "1.0.0" and "capture-id" not in answer.headers
        error = answer.json()["error"]
        assert error["code"] == "upload_refused" and error["message"].startswith(f"{name} was")
    assert answers["photo.jpg"].json()["error"]["detected_type"] is None
    assert "no type the hub recognises" in answers["map.svg"].json()["error"]["message"]
    assert answers["player.exe"].json()["error"]["detected_type"] == "application/x-msdownload"
    assert "application/x-msdownload" in answers["player.exe"].json()["error"]["message"]

    folder = staff.newsroom.settings.data_dir / "uploads"
    assert list(folder.glob("*.data")) == []
    topics = [n.topic for n in staff.newsroom.store.read_log(after=0, limit=1000)]
    assert not [t for t in topics if "Capture" in t]
    assert len([t for t in topics if t.endswith("Upload.Refused")]) == 3


def test_a_refused_upload_answers_every_later_request_with_its_refusal(
    client: httpx.Client, staff: Staff
) -> None:
    page = b"<html><body>hello</body></html>"
    url = start(client, staff, "rui", len(page), filename="a.html")
    first = patch(client, staff, "rui", url, 0, page)
    assert first.status_code == 422
    again = patch(client, staff, "rui", url, len(page), b"")
    assert again.status_code == 410 and again.json()["error"]["code"] == "upload_refused"
    assert again.json()["error"]["message"] == first.json()["error"]["message"]
    head = client.head(url, headers={**bearer(staff, "rui"), **TUS})
    assert head.status_code == 410 and head.headers["tus-resumable"] == "1.0.0"
    gone = client.delete(url, headers={**bearer(staff, "rui"), **TUS})
    assert gone.status_code == 410
    refused = [
        n for n in staff.newsroom.store.read_log(after=0, limit=1000) if "Refused" in n.topic
    ]
    assert len(refused) == 1


def test_an_empty_upload_is_refused_when_it_is_created(client: httpx.Client, staff: Staff) -> None:
    headers = {**bearer(staff, "rui"), **TUS, "Upload-Length": "0"}
    headers["Upload-Metadata"] = metadata(filename="nothing.jpg")
    response = client.post("/api/uploads", headers=headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "upload_refused"
