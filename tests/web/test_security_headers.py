"""The security headers on every answer (pages, API, refusals, static files), and the templates
that let the page policy forbid inline script."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import Staff
from tests.web.conftest import bearer
from tests.web.test_pages import PAGES
from web.security_headers import PAGE_POLICY

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def assert_baseline(response: httpx.Response) -> None:
    what = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert response.headers.get("content-security-policy") == PAGE_POLICY, what
    assert response.headers.get("x-content-type-options") == "nosniff", what
    assert response.headers.get("referrer-policy") == "same-origin", what
    assert response.headers.get("x-frame-options") == "DENY", what
    assert "camera=(self)" in response.headers.get("permissions-policy", ""), what


def test_the_page_policy_allows_only_the_hubs_own_scripts_and_no_framing() -> None:
    directives = dict(d.split(" ", 1) for d in PAGE_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == directives["connect-src"] == "'self'"
    assert directives["media-src"] == "'self' blob:"
    assert "unsafe" not in PAGE_POLICY


def test_every_answer_carries_the_baseline(client: httpx.Client, staff: Staff) -> None:
    answers = [client.get("/login"), client.get("/static/js/common.js"), client.get("/")]
    for page, person in PAGES.items():
        answers.append(client.get(f"/{page}", headers=bearer(staff, person)))
    answers += [
        client.get("/api/assignments", headers=bearer(staff, "dana")),
        client.get("/api/assignments"),  # 401
        client.get("/api/nowhere", headers=bearer(staff, "dana")),  # 404
        client.post("/api/login", json={"name": "rui", "password": "wrong"}),  # 401
        client.post("/api/login", content=b"{" + b" " * (2 * 1024 * 1024) + b"}"),  # 413
        client.options("/api/uploads"),
    ]
    assert {r.status_code for r in answers} >= {200, 303, 401, 404, 413}
    for response in answers:
        assert_baseline(response)


def test_a_refusal_of_the_csrf_check_carries_it_too(client: httpx.Client, staff: Staff) -> None:
    client.post("/api/login", json={"name": "dana", "password": "dana-password"})
    refused = client.post("/logout", headers={"X-CSRF-Token": "guess"})
    assert refused.status_code == 403
    assert_baseline(refused)


def test_the_templates_hold_no_inline_script() -> None:
    """Scripts come from files and data from JSON blocks, so the policy forbids inline script."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text, template.name
