"""Hostile input through the real server: each answers a 4xx in the error shape, never a 500,
and stores nothing (on SQLite and PostgreSQL).

Each test sends all its cases to one hub (starting a hub costs more than the cases)."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from tests.conftest import Staff
from tests.web.conftest import bearer
from tests.web.test_api_captures import uploaded
from tests.web.test_uploads import TUS, assignment_of, clip, start
from web.bodies import BodyLimitMiddleware

PLACE = {"name": "County hall", "lat": 30.1, "lon": 120.2}
JSON = {"Content-Type": "application/json"}
MAX_POSITION = 2**63 - 1


def refused(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The refusal's error, once its status and shape are checked."""
    sent = f"{response.request.method} {response.request.url}"
    assert response.status_code == status, f"{sent}: {response.text[:500]}"
    error: dict[str, Any] = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    if code is not None:
        assert error["code"] == code, f"{sent}: {error}"
    return error


def head(client: httpx.Client, staff: Staff) -> int:
    response = client.get("/api/events?limit=1", headers=bearer(staff, "audrey"))
    assert response.status_code == 200, response.text
    return int(response.json()["head"])


def writer(staff: Staff, who: str) -> dict[str, str]:
    return {**bearer(staff, who), **JSON}


def latin1(value: str) -> bytes:
    """A header value as its bytes: HTTP headers are latin-1, where '²' is one byte."""
    return value.encode("latin-1")


def test_a_due_time_that_is_no_time_in_utc_is_refused(client: httpx.Client, staff: Staff) -> None:
    before = head(client, staff)
    for due in ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", 0, "1700000000", True]:
        body = {"title": "Flood", "location": PLACE, "due": due}
        response = client.post("/api/assignments", json=body, headers=bearer(staff, "dana"))
        error = refused(response, 422, "invalid")
        assert [f["field"] for f in error["fields"]] == ["due"]
    assert head(client, staff) == before


def test_a_due_time_is_kept_in_utc(client: httpx.Client, staff: Staff) -> None:
    body = {"title": "Flood", "location": PLACE, "due": "9999-12-31T23:59:59+14:00"}
    created = client.post("/api/assignments", json=body, headers=bearer(staff, "dana"))
    assert created.status_code == 201, created.text
    read = client.get(f"/api/assignments/{created.json()['id']}", headers=bearer(staff, "dana"))
    assert read.json()["due"] == "9999-12-31T09:59:59Z"


def test_a_wall_replay_outside_the_log_or_the_calendar_is_refused(
    client: httpx.Client, staff: Staff
) -> None:
    for at in [
        "99999999999999999999",
        str(MAX_POSITION + 1),
        "-1",
        "²",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
    ]:
        response = client.get("/api/wall", params={"at": at}, headers=bearer(staff, "audrey"))
        refused(response, 400, "bad_parameter")
    last = client.get(f"/api/wall?at={MAX_POSITION}", headers=bearer(staff, "audrey"))
    assert last.status_code == 200 and last.json()["position"] == head(client, staff)


def test_an_event_page_outside_the_log_is_refused(client: httpx.Client, staff: Staff) -> None:
    for query in [
        f"after={2**64}",
        f"after={MAX_POSITION + 1}",
        "after=-1",
        "after=%D9%A1%D9%A2",  # Arabic-Indic "12": int() reads it, a position is ASCII digits
        "after=1_0",
        "after=+1",
        "after=%C2%B2",
        "limit=%C2%B9",
        "limit=0",
        "limit=",
        "after=",
        "limit=1001",
    ]:
        response = client.get(f"/api/events?{query}", headers=bearer(staff, "audrey"))
        refused(response, 400, "bad_parameter")
    last = client.get(f"/api/events?after={MAX_POSITION}", headers=bearer(staff, "audrey"))
    assert last.status_code == 200 and last.json()["events"] == []


def test_upload_sizes_and_offsets_are_ascii_digits(client: httpx.Client, staff: Staff) -> None:
    wrong = [latin1("¹"), latin1("²"), latin1("³"), "١".encode(), b"-1", b"1e3", b"0x10", b"1_0"]
    wrong += [b"9" * 5000]  # int() refuses more than 4,300 digits
    for length in [*wrong, b""]:
        headers: dict[str, Any] = {**bearer(staff, "rui"), **TUS, "Upload-Length": length}
        refused(client.post("/api/uploads", headers=headers), 400, "bad_header")
    url = start(client, staff, "rui", 10)
    for offset in [*wrong, b""]:
        headers = {
            **bearer(staff, "rui"),
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": offset,
        }
        refused(client.patch(url, content=b"0123456789", headers=headers), 400, "bad_header")


def test_a_wrong_method_names_every_method_of_the_path(client: httpx.Client, staff: Staff) -> None:
    for path, methods in [
        ("/api/assignments", {"GET", "HEAD", "POST"}),
        ("/api/commands", {"GET", "HEAD", "POST"}),
        ("/api/stories", {"GET", "HEAD", "POST"}),
        ("/api/users", {"GET", "HEAD", "POST"}),
        ("/api/stories/00000000-0000-0000-0000-000000000000", {"GET", "HEAD", "PUT"}),
        ("/api/assignments/00000000-0000-0000-0000-000000000000/close", {"POST"}),
    ]:
        response = client.patch(path, headers=bearer(staff, "dana"))
        refused(response, 405, "method_not_allowed")
        assert set(response.headers["allow"].split(", ")) == methods, path


def test_a_null_body_is_refused_where_a_body_is_read(client: httpx.Client, staff: Staff) -> None:
    before = head(client, staff)
    for who, path in [
        ("dana", "/api/assignments"),
        ("dana", "/api/users/dana/tokens"),  # every field has a default, yet null is no object
        ("tess", "/api/outputs"),
    ]:
        response = client.post(path, content=b"null", headers=writer(staff, who))
        error = refused(response, 422, "invalid")
        assert error["fields"][0]["field"] == "(body)"
    assert head(client, staff) == before
    assignment = assignment_of(staff, "rui")
    accepted = client.post(
        f"/api/assignments/{assignment}/accept", content=b"null", headers=writer(staff, "rui")
    )
    assert accepted.status_code == 200, accepted.text  # a command that reads no body


def test_the_document_says_null_is_nothing_only_where_nothing_is_read(
    client: httpx.Client,
) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    def body_of(path: str) -> dict[str, Any]:
        body: dict[str, Any] = paths[path]["post"]["requestBody"]["content"]["application/json"]
        return body["schema"]

    accept = body_of("/api/assignments/{id}/accept")
    assert accept["anyOf"] == [{"$ref": "#/components/schemas/NoBody"}, {"type": "null"}]
    assert body_of("/api/assignments") == {"$ref": "#/components/schemas/PlanAssignment"}


def test_coordinates_are_numbers_on_the_globe(client: httpx.Client, staff: Staff) -> None:
    before = head(client, staff)
    for position in [
        '"lat": true, "lon": 120',
        '"lat": "NaN", "lon": 120',
        '"lat": "30", "lon": 120',
        '"lat": 30, "lon": "Infinity"',
        '"lat": 1e400, "lon": 120',
        f'"lat": {10**400}, "lon": 120',
        '"lat": -90.000001, "lon": 120',
    ]:
        raw = '{"title": "Flood", "location": {"name": "x", ' + position + "}}"
        response = client.post("/api/assignments", content=raw, headers=writer(staff, "dana"))
        error = refused(response, 422, "invalid")
        assert error["fields"][0]["field"] in ("location.lat", "location.lon"), position
    assert head(client, staff) == before


def test_a_body_of_many_unknown_fields_names_a_bounded_few(
    client: httpx.Client, staff: Staff
) -> None:
    raw = "{" + ",".join(f'"k{i}": {i}' for i in range(20_000)) + "}"
    response = client.post("/api/assignments", content=raw, headers=writer(staff, "dana"))
    error = refused(response, 422, "invalid")
    assert 5 <= len(error["fields"]) <= 100 and "(and 19997 more)" in error["message"]
    assert len(response.content) < 10_000


def fetch(client: httpx.Client, staff: Staff, capture: str, **headers: Any) -> httpx.Response:
    sent = {**bearer(staff, "eddie"), **{k.replace("_", "-"): v for k, v in headers.items()}}
    return client.get(f"/api/captures/{capture}/file", headers=sent)


def test_ranges_of_a_capture_file(client: httpx.Client, staff: Staff) -> None:
    data = clip(100)
    capture = uploaded(client, staff, data, assignment_of(staff, "rui"))
    for sent, (first, end) in [
        ("bytes=0-9", (0, 10)),
        ("bytes=90-", (90, 100)),
        ("bytes=-10", (90, 100)),
        ("bytes=-1000", (0, 100)),
        ("bytes=95-1000", (95, 100)),
        ("BYTES=1-2", (1, 3)),
        ("bytes=1-2, 500-600", (1, 3)),  # the satisfiable part of the set
    ]:
        response = fetch(client, staff, capture, range=sent)
        assert response.status_code == 206 and response.content == data[first:end], sent
        assert response.headers["content-range"] == f"bytes {first}-{end - 1}/100"


def test_a_range_that_is_not_understood_is_ignored(client: httpx.Client, staff: Staff) -> None:
    """RFC 9110 §14.2: a Range in another unit, or not valid, is ignored: the whole file."""
    data = clip(100)
    capture = uploaded(client, staff, data, assignment_of(staff, "rui"))
    for sent in [
        "bytes=abc",
        latin1("bytes=²-"),
        "bytes=1_0-20",
        "bytes=5-2",
        "bytes=0-1,5-2",
        "items=0-1",
        "bytes=" + ",".join(["0-1"] * 101),
        "bytes=",
        "bytes=-",
        "bytes=0-" + "9" * 5000,
    ]:
        response = fetch(client, staff, capture, range=sent)
        assert response.status_code == 200 and response.content == data, sent
    other = fetch(client, staff, capture, range="bytes=200-", if_range='"another version"')
    assert other.status_code == 200 and other.content == data


def test_a_range_past_the_end_is_refused_in_the_error_shape(
    client: httpx.Client, staff: Staff
) -> None:
    capture = uploaded(client, staff, clip(100), assignment_of(staff, "rui"))
    for sent in ["bytes=100-", f"bytes={2**64}-", "bytes=-0", "bytes=100-200,-0"]:
        response = fetch(client, staff, capture, range=sent)
        refused(response, 416, "range_not_satisfiable")
        assert response.headers["content-range"] == "bytes */100"


async def test_a_content_length_is_read_as_ascii_digits() -> None:
    """'²' passes str.isdigit() but not int(), and int() refuses 5,000 digits: neither may trip
    the size limit up (the server in front refuses them too, but the limit must not rely on it)."""
    answered: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await Response(status_code=204)(scope, receive, send)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        answered.append(message)

    for declared, status in [
        (latin1("²"), 204),
        (latin1("¹0"), 204),
        (b"-1", 204),
        (b"1_0", 204),
        (b"11", 413),
        (b"1" * 5000, 413),
    ]:
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/api/assignments",
            "headers": [(b"content-length", declared)],
        }
        await BodyLimitMiddleware(app, max_bytes=10)(scope, receive, send)
        assert answered[0]["status"] == status, declared[:20]
        answered.clear()
