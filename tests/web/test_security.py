"""Sign-in, sessions, CSRF, throttling and request limits, through the real application."""

from __future__ import annotations

import stat
import time

import httpx
import pytest
from starlette.datastructures import Headers

from events.roles import SYSTEM_ACTOR
from hub.commands.live import RotateSourceToken
from hub.commands.people import RegisterUser
from hub.config import Settings
from hub.newsroom import Request
from hub.store import schema
from tests.conftest import Staff
from tests.web.conftest import bearer
from web.auth import Presented, authorization
from web.security import secret_key


def sign_in(client: httpx.Client, name: str) -> dict[str, str]:
    """Signs in with the password; returns the CSRF header for later writes."""
    response = client.post("/api/login", json={"name": name, "password": f"{name}-password"})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def test_password_sign_in_gives_a_session(client: httpx.Client, staff: Staff) -> None:
    response = client.post("/api/login", json={"name": "rui", "password": "rui-password"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "rui" and body["roles"] == ["reporter"] and body["home"] == "/reporter"
    assert body["via"] == "session" and len(body["csrf_token"]) > 20
    cookie = response.headers["set-cookie"]
    assert "hub_session=" in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie
    me = client.get("/api/me").json()
    assert me["name"] == "rui" and me["csrf_token"] == body["csrf_token"]
    assert client.get("/api/assignments").status_code == 200


def test_a_deactivated_person_is_shut_out_at_once(
    client: httpx.Client, staff: Staff, hub_url: str
) -> None:
    """Their signed-in session and their tokens stop working with the answer that deactivates."""
    ada = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick()), RegisterUser(name="ada", roles=["admin"])
    )
    admin = {"Authorization": f"Bearer {ada.extra['token']}"}
    sign_in(client, "rui")
    assert client.get("/api/me").status_code == 200
    with httpx.Client(base_url=hub_url) as other:
        assert other.get("/api/me", headers=bearer(staff, "rui")).status_code == 200
        deadline = time.monotonic() + 10  # the hub follows a write made beside it within moments
        while other.get("/api/me", headers=admin).status_code != 200:
            assert time.monotonic() < deadline, "the admin never became known"
            time.sleep(0.05)
        done = other.post("/api/users/rui/deactivate", json={"reason": "left"}, headers=admin)
        assert done.status_code == 200, done.text
        assert other.get("/api/me", headers=bearer(staff, "rui")).status_code == 401
    shut = client.get("/api/me")
    assert shut.status_code == 401, shut.text
    with httpx.Client(base_url=hub_url) as fresh:
        again = fresh.post("/api/login", json={"name": "rui", "password": "rui-password"})
        assert again.status_code == 401


def test_wrong_passwords_and_names_are_refused_alike(client: httpx.Client, staff: Staff) -> None:
    for name, password in (("rui", "lin-password"), ("nobody", "x"), ("wally", "")):
        response = client.post("/api/login", json={"name": name, "password": password})
        assert response.status_code in (401, 422), name
    wrong = client.post("/api/login", json={"name": "rui", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": {"code": "bad_credentials", "message": "wrong name or password"}
    }
    assert "set-cookie" not in wrong.headers
    assert client.get("/api/me").status_code == 401


def test_failed_sign_ins_are_throttled_per_name(client: httpx.Client, staff: Staff) -> None:
    for _ in range(5):
        assert client.post("/api/login", json={"name": "lin", "password": "x"}).status_code == 401
    throttled = client.post("/api/login", json={"name": "lin", "password": "lin-password"})
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(throttled.headers["retry-after"]) <= 300


def test_failed_sign_ins_are_throttled_per_address(client: httpx.Client, staff: Staff) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert client.post("/api/login", json={"name": name, "password": "x"}).status_code == 401
    refused = client.post("/api/login", json={"name": "dana", "password": "dana-password"})
    assert refused.status_code == 429 and "retry-after" in refused.headers


def test_a_cookie_write_needs_the_csrf_token(client: httpx.Client, staff: Staff) -> None:
    csrf = sign_in(client, "dana")
    refused = client.post("/logout")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = client.post("/logout", headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    assert client.get("/api/me").status_code == 200
    assert client.post("/logout", headers=csrf).status_code == 204
    assert client.get("/api/me").status_code == 401


def test_a_form_carries_the_csrf_token_in_a_field(client: httpx.Client, staff: Staff) -> None:
    csrf = sign_in(client, "dana")["X-CSRF-Token"]
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/api/me").status_code == 401


def test_writes_from_another_site_are_refused(client: httpx.Client, staff: Staff) -> None:
    csrf = sign_in(client, "dana")
    response = client.post("/logout", headers={**csrf, "Origin": "https://evil.example"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
    same = client.post("/logout", headers={**csrf, "Origin": str(client.base_url).rstrip("/")})
    assert same.status_code == 204


def test_bearer_writes_need_no_csrf_token(client: httpx.Client, staff: Staff) -> None:
    assert client.post("/logout", headers=bearer(staff, "dana")).status_code == 204


PLAN = {"title": "Levee", "location": {"name": "hall", "lat": 30.0, "lon": 120.0}}
UNUSABLE_AUTHORIZATIONS = (
    b"Bearer \xa0",  # a non-breaking space: no token at all
    b"Bearer \xc2\xa0",
    b"Bearer",
    b"Bearer\thub_x",
    b"Basic ZGFuYTpkYW5hLXB3",
    b"Bearer hub_a hub_b",
    b"Bearer hub_nope",
)


def test_an_unusable_authorization_header_never_falls_back_to_the_cookie(
    client: httpx.Client, staff: Staff
) -> None:
    """Whatever the header holds, the request is judged by it alone: never by the session."""
    sign_in(client, "dana")
    for unusable in UNUSABLE_AUTHORIZATIONS:
        header = {"Authorization": unusable}
        forged = client.post(
            "/api/assignments", json=PLAN, headers={**header, "Origin": "https://evil.example"}
        )
        assert forged.status_code in (401, 403), (unusable, forged.text)
        assert client.get("/api/me", headers=header).status_code == 401, unusable
        assert client.get("/api/board", headers=header).status_code == 401, unusable
    assert client.get("/api/me").json()["name"] == "dana"
    assert client.get("/api/assignments", headers=bearer(staff, "dana")).json()["assignments"] == []


def test_the_authorization_header_is_read_one_way() -> None:
    def read(*values: bytes) -> Presented | None:
        return authorization(Headers(raw=[(b"authorization", value) for value in values]))

    assert read() is None
    assert read(b"Bearer hub_1a_x-Y.z~+/==") == Presented("hub_1a_x-Y.z~+/==")
    assert read(b"bearer  hub_x") == Presented("hub_x")
    for unusable in (b"", b"Bearer", b"Bearer ", b"Bearer \xa0", b"Bearer hub_x \xa0", b"Basic x"):
        assert read(unusable) == Presented(None), unusable
    assert read(b"Bearer hub_x", b"Bearer hub_y") == Presented(None)


def test_the_sign_in_form_goes_home_or_next(client: httpx.Client, staff: Staff) -> None:
    homes = {"rui": "/reporter", "eddie": "/review", "dora": "/review", "chen": "/review"}
    homes |= {"wally": "/wall", "audrey": "/audit", "dana": "/console", "tess": "/console"}
    for name, home in homes.items():
        with httpx.Client(base_url=client.base_url) as browser:
            form = {"name": name, "password": f"{name}-password"}
            response = browser.post("/login", data=form)
            assert response.status_code == 303 and response.headers["location"] == home, name
    wanted = client.post(
        "/login", data={"name": "rui", "password": "rui-password", "next": "/wall"}
    )
    assert wanted.headers["location"] == "/wall"


def test_the_sign_in_form_refuses_without_leaving_the_site(
    client: httpx.Client, staff: Staff
) -> None:
    away = {"name": "rui", "password": "rui-password", "next": "//evil.example/x"}
    assert client.post("/login", data=away).headers["location"] == "/reporter"
    with httpx.Client(base_url=client.base_url) as browser:
        bad = browser.post("/login", data={"name": "rui", "password": "no", "next": "/review"})
        assert bad.status_code == 303
        assert bad.headers["location"] == "/login?error=bad_credentials&next=%2Freview"
        assert browser.get("/api/me").status_code == 401


def test_a_wall_trades_its_token_for_a_session(client: httpx.Client, staff: Staff) -> None:
    response = client.post("/api/session", headers=bearer(staff, "wally"))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "wally" and body["read_only"] is True and body["home"] == "/wall"
    with httpx.Client(base_url=client.base_url, cookies=client.cookies) as wall:
        assert wall.get("/api/me").json()["via"] == "session"
        assert wall.get("/api/wall").status_code == 200
    with httpx.Client(base_url=client.base_url) as stranger:
        assert stranger.post("/api/session").status_code == 401
        bad = stranger.post("/api/session", headers={"Authorization": "Bearer hub_nope"})
        assert bad.status_code == 401


def test_me_by_token(client: httpx.Client, staff: Staff) -> None:
    body = client.get("/api/me", headers=bearer(staff, "chen")).json()
    assert body == {
        "name": "chen",
        "display_name": "chen",
        "roles": ["chief_editor"],
        "home": "/review",
        "via": "token",
        "read_only": False,
        "csrf_token": None,
    }
    assert client.get("/api/me").json()["error"]["code"] == "unauthenticated"


def test_bodies_are_checked_before_anything_else(client: httpx.Client, staff: Staff) -> None:
    huge = client.post(
        "/api/login", content=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers=_json()
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    text = client.post("/api/login", content=b"name=rui", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported_media_type"
    broken = client.post("/api/login", content=b'{"name": "rui",', headers=_json())
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "bad_json"
    nan = client.post("/api/login", content=b'{"name": NaN}', headers=_json())
    assert nan.status_code == 400
    missing = client.post("/api/login", json={"name": "rui", "pasword": "rui-password"})
    assert missing.status_code == 422
    fields = {f["field"] for f in missing.json()["error"]["fields"]}
    assert fields == {"password", "pasword"}


def test_streamed_bodies_are_limited_too(client: httpx.Client, staff: Staff) -> None:
    def chunks() -> object:
        for _ in range(40):
            yield b" " * 65536

    response = client.post("/api/login", content=chunks(), headers=_json())  # type: ignore[arg-type]
    assert response.status_code == 413


def test_the_session_secret_is_made_once_and_kept_private(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    first = secret_key(settings)
    path = settings.data_dir / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 40
    assert secret_key(settings) == first
    monkeypatch.setenv("HUB_SECRET_KEY", "from-the-environment")
    assert secret_key(settings) == "from-the-environment"


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


@pytest.fixture
def admin(staff: Staff) -> dict[str, str]:
    """An admin's bearer header, registered before the hub starts."""
    done = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick(1)), RegisterUser(name="ada", roles=["admin"])
    )
    return {"Authorization": f"Bearer {done.extra['token']}"}


def test_a_new_token_is_shown_once_and_never_kept(
    admin: dict[str, str], client: httpx.Client, staff: Staff
) -> None:
    """A repeated request (same Idempotency-Key) answers the same token's id, never its secret."""
    asks = [
        (admin, "/api/users", {"name": "newcomer", "roles": ["reporter"]}),
        (bearer(staff, "rui"), "/api/users/rui/tokens", {"label": "spare phone"}),
        (bearer(staff, "tess"), "/api/sources", {"name": "truck-1", "kind": "truck"}),
    ]
    secrets: list[str] = []
    for n, (caller, path, body) in enumerate(asks):
        headers = {**caller, "Idempotency-Key": f"once-{n}"}
        first = client.post(path, json=body, headers=headers)
        assert first.status_code == 201, first.text
        secret = first.json()["token"]
        assert secret.startswith("hub_") and first.json()["token_id"]
        secrets.append(secret)
        again = client.post(path, json=body, headers=headers)
        assert again.status_code == 201, again.text
        repeat = again.json()
        assert repeat["token"] is None and "shown once" in repeat["message"], repeat
        unchanged = {k: v for k, v in first.json().items() if k not in ("token", "message")}
        assert {**unchanged, "token": None, "message": repeat["message"]} == repeat
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secrets[1]}"}).is_success
    rotate = staff.req("tess", key="rotate-truck-1")
    rotated = staff.newsroom.handle(rotate, RotateSourceToken(name="truck-1"))
    secrets.append(rotated.extra["token"])
    assert staff.newsroom.handle(rotate, RotateSourceToken(name="truck-1")).extra["token"] is None
    assert kept_anywhere(staff, secrets) == []


def kept_anywhere(staff: Staff, secrets: list[str]) -> list[str]:
    """Every row of every table of the store that holds one of the secrets."""
    found = []
    with staff.newsroom.store.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                text = " ".join(
                    value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    for value in row
                )
                found += [f"{table.name}: {s}" for s in secrets if s in text]
    return found
