"""The pages render for the right people, in the right language, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Staff
from tests.web.conftest import bearer

PAGES = {
    "wall": "wally",
    "console": "dana",
    "reporter": "rui",
    "desk": "eddie",
    "review": "eddie",
    "submissions": "dora",
    "audit": "audrey",
}


def test_anonymous_callers_are_sent_to_sign_in(client: httpx.Client) -> None:
    assert client.get("/").headers["location"] == "/login"
    response = client.get("/console?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fconsole%3Fx%3D1"
    login = client.get("/login")
    assert login.status_code == 200 and 'lang="zh-CN"' in login.text
    assert "登录" in login.text and 'action="/login"' in login.text


@pytest.mark.parametrize(("page", "person"), PAGES.items())
def test_each_page_for_its_people(
    client: httpx.Client, staff: Staff, page: str, person: str
) -> None:
    response = client.get(f"/{page}", headers=bearer(staff, person))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert f'data-page="{page}"' in response.text and "县融媒体中心" in response.text
    assert f"/static/js/{page}.js" in response.text


def test_a_page_refuses_the_wrong_role_and_shows_the_way_home(
    client: httpx.Client, staff: Staff
) -> None:
    response = client.get("/console", headers=bearer(staff, "rui"))
    assert response.status_code == 403
    assert "无权访问" in response.text and 'href="/reporter"' in response.text
    assert client.get("/audit", headers=bearer(staff, "dana")).status_code == 403
    assert client.get("/review", headers=bearer(staff, "rui")).status_code == 403


def test_english_on_request_and_remembered(client: httpx.Client, staff: Staff) -> None:
    english = client.get("/wall?lang=en", headers=bearer(staff, "wally"))
    assert 'lang="en"' in english.text and "Command &amp; Dispatch" in english.text
    assert english.cookies.get("lang") == "en"
    again = client.get("/review", headers=bearer(staff, "dora"))
    assert 'lang="en"' in again.text
    assert "Waiting for you" in again.text
    back = client.get("/review?lang=zh", headers=bearer(staff, "dora"))
    assert "待审稿件" in back.text


def test_signing_in_lands_on_the_page_of_the_role(client: httpx.Client, staff: Staff) -> None:
    landing = {"rui": "/reporter", "dora": "/review", "wally": "/wall", "audrey": "/audit"}
    for person, page in landing.items():
        client.cookies.clear()
        done = client.post("/login", data={"name": person, "password": f"{person}-password"})
        assert done.status_code == 303 and done.headers["location"] == page
        home = client.get("/")
        assert home.status_code == 303 and home.headers["location"] == page
        shown = client.get(page)
        assert shown.status_code == 200 and '<meta name="csrf-token"' in shown.text
    client.cookies.clear()
    wrong = client.post("/login", data={"name": "rui", "password": "nope", "next": "/reporter"})
    form = client.get(wrong.headers["location"])
    assert "用户名或密码错误" in form.text and 'value="/reporter"' in form.text


def test_what_the_query_says_cannot_escape_the_page(client: httpx.Client, staff: Staff) -> None:
    response = client.get(
        "/wall?at=</script><script>alert(1)</script>", headers=bearer(staff, "wally")
    )
    assert "<script>alert(1)" not in response.text
    assert "\\u003c/script\\u003e" in response.text


def test_the_scripts_and_styles_are_served(client: httpx.Client) -> None:
    for path in ("js/common.js", "js/feed.js", "js/wall.js", "js/tus.js", "css/hub.css"):
        assert client.get(f"/static/{path}").status_code == 200, path
