"""Random JSON to every command of the API, through a real hub on a real store (SQLite and
PostgreSQL), as an admin (every role) with path ids that name real things: whatever comes in, the
answer is never a 5xx, every refusal is in the error shape, and a refusal stores nothing.

The commands are the app's own `Endpoint`s that write, so a new command is fuzzed without a word
here; only a new kind of path id needs naming (`path_ids` in tests/web/conftest.py). Runs are
derandomized (the same examples every run); HUB_FUZZ_EXAMPLES raises the examples per command for
a longer search.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.config import Settings
from tests.web.conftest import Hub
from web.app import create_app
from web.endpoints import Endpoint, endpoints_of

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

# -- what to send --------------------------------------------------------------------------------

EDGE_NUMBERS = [0, -0.0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**400]
EDGE_NUMBERS += [1e308, -1e308, 5e-324, 90.0000001, -180.5, 1.5]
EDGE_TEXT = [
    "",
    " ",
    "\x00",
    "\ud800",
    "a\udfffb",
    "\u2028",
    "rui",
    "main",
    "admin",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2026-11-23T08:00:00Z",
    "00000000-0000-0000-0000-000000000000",
    "NaN",
    "1e400",
    "rtmp://example.org/live",
    "x" * 10_001,
    "稿" * 300,
]
characters = st.characters() | st.characters(categories=["Cs", "Cc"])
text = st.text(characters, max_size=40) | st.sampled_from(EDGE_TEXT)
numbers = (
    st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(EDGE_NUMBERS)
)
scalars = st.none() | st.booleans() | numbers | text
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


def shaped(endpoint: Endpoint) -> st.SearchStrategy[Any]:
    """Objects with the body's own field names (so validation goes past the names), any values."""
    names = list(endpoint.body.model_fields) if endpoint.body is not None else []
    if not names:
        return st.dictionaries(text, values, max_size=3)
    return st.fixed_dictionaries({}, optional={name: values for name in names})


def deep(depth: int, opener: str) -> bytes:
    closer = "]" if opener == "[" else "}"
    inner = '"a":' if opener == "{" else ""
    return ((opener + inner) * depth + "1" + closer * depth).encode()


def bodies(endpoint: Endpoint) -> st.SearchStrategy[bytes]:
    as_json = st.one_of(shaped(endpoint), values).map(lambda v: json.dumps(v).encode())
    return st.one_of(
        as_json,
        as_json,
        st.builds(deep, st.integers(1, 12_000), st.sampled_from("[{")),
        st.binary(max_size=40),
        st.sampled_from([b"", b"null", b"NaN", b"-Infinity", b"1e400", b"{", b'{"a":1}x', b"\xff"]),
    )


header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=30
)
CONTENT_TYPES = ["application/json", "text/plain", "", "application/problem+json; charset=x"]


@st.composite
def requests(draw: st.DrawFn, endpoint: Endpoint) -> tuple[bytes, dict[str, bytes]]:
    """A body and the headers the API reads beside it."""
    headers = {"Content-Type": draw(st.sampled_from(CONTENT_TYPES[:1] * 5 + CONTENT_TYPES[1:]))}
    if draw(st.booleans()):
        headers["If-Match"] = draw(header_text | st.sampled_from(['"1"', "W/1", "*", "9" * 19]))
    if draw(st.booleans()):
        headers["Idempotency-Key"] = draw(header_text)
    encoded = {name: value.strip().encode("latin-1") for name, value in headers.items()}
    return draw(bodies(endpoint)), {k: v for k, v in encoded.items() if v}


# -- the hub -------------------------------------------------------------------------------------


def commands(settings: Settings) -> list[Endpoint]:
    """Every endpoint of the app that writes."""
    found = [e for e in endpoints_of(create_app(settings).routes) if e.writes]
    assert len(found) > 20
    return found


def url_of(endpoint: Endpoint, hub: Hub) -> str:
    try:
        return endpoint.path.format(**hub.ids_for(endpoint.path))
    except KeyError:
        raise AssertionError(f"{endpoint.path}: name a real thing for it in path_ids") from None


def head(client: httpx.Client) -> int:
    return int(client.get("/api/events?limit=1").json()["head"])


def answer_is_sound(client: httpx.Client, method: str, url: str, **request: Any) -> None:
    """Sends one request; a 5xx, a refusal out of shape, or a refusal that stored fails."""
    before = head(client)
    response = client.request(method, url, **request)
    shown = f"{method} {url} -> {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, shown
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), shown
        assert head(client) == before, f"{shown}: the refusal stored events"


# -- the tests -----------------------------------------------------------------------------------


def fuzzer(client: httpx.Client, endpoint: Endpoint, url: str) -> Callable[[], None]:
    """One command's property, run by calling it."""

    @FUZZ
    @given(sent=requests(endpoint))
    def run(sent: tuple[bytes, dict[str, bytes]]) -> None:
        body, headers = sent
        answer_is_sound(client, endpoint.method, url, content=body, headers=headers)

    return run


def test_random_bodies_to_every_command(hub: Hub, settings: Settings) -> None:
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {hub.token}"}
    with httpx.Client(base_url=hub.url, headers=headers, timeout=30) as client:
        for endpoint in commands(settings):
            try:
                fuzzer(client, endpoint, url_of(endpoint, hub))()
            except Exception as failure:  # one command's failure must not hide the others'
                failures.append(f"{endpoint.method} {endpoint.path}: {failure}")
        health = client.get("/api/health").json()
    assert failures == []
    assert health["status"] == "ok", health  # what was stored folds into the read models


def test_every_command_refuses_a_body_nested_ten_thousand_deep(
    hub: Hub, settings: Settings
) -> None:
    headers = {"Authorization": f"Bearer {hub.token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=hub.url, headers=headers, timeout=30) as client:
        for endpoint in commands(settings):
            if endpoint.body is None:
                continue
            url = url_of(endpoint, hub)
            version = {"If-Match": '"1"'} if endpoint.if_match != "none" else {}
            for opener in "[{":
                before = head(client)
                sent = deep(10_000, opener)
                response = client.request(endpoint.method, url, content=sent, headers=version)
                assert response.status_code == 400, f"{endpoint.path}: {response.text[:300]}"
                assert response.json()["error"]["code"] == "bad_json"
                assert head(client) == before


def test_the_document_requires_a_body_exactly_where_an_empty_one_is_refused(
    hub: Hub, settings: Settings
) -> None:
    headers = {"Authorization": f"Bearer {hub.token}"}
    with httpx.Client(base_url=hub.url, headers=headers, timeout=30) as client:
        document = client.get("/api/openapi.json").json()
        for endpoint in commands(settings):
            if endpoint.body is None:
                continue
            said = document["paths"][endpoint.path][endpoint.method.lower()]["requestBody"]
            version = {"If-Match": '"1"'} if endpoint.if_match != "none" else {}
            response = client.request(endpoint.method, url_of(endpoint, hub), headers=version)
            problems = response.json()["error"].get("fields", []) if response.is_error else []
            missing = any(problem["message"] == "Field required" for problem in problems)
            assert missing == said["required"], f"{endpoint.path}: {response.text[:300]}"
