"""The hub's words: every one in the catalogs, and said in the reader's language (Chinese unless
the reader asks for English with ?lang=en, the lang cookie or Accept-Language)."""

from __future__ import annotations

import html
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator

import httpx
import pytest

import events
from events.base import NewsroomAggregate
from events.messages import Message, from_json
from hub.commands import routed_commands
from hub.newsroom import kind_words
from tests.conftest import Staff
from web.catalogs import extract_and_warn, missing
from web.commands import _noun
from web.i18n import accepted_language, catalog, translate

PLAN = {
    "title": "Levee",
    "brief": "",
    "location": {"name": "East bridge", "lat": 30.25, "lon": 120.17},
    "channels": ["tv"],
}


def test_every_word_marked_in_the_hub_is_in_the_catalogs() -> None:
    template, warnings = extract_and_warn()
    assert warnings == []  # an f-string where a message id belongs cannot be translated
    assert len(template) > 300
    assert missing("zh", template) == []
    assert missing("en", template) == []


def test_messages_render_nested_words_and_lists_in_each_language() -> None:
    words = Message(
        "{title} retracted from {channels}: {reason}",
        title="Levee",
        channels=[Message("TV"), Message("WeChat")],
        reason="wrong figures",
    )
    assert str(words) == "Levee retracted from TV, WeChat: wrong figures"
    assert translate("en", words) == "Levee retracted from TV, WeChat: wrong figures"
    assert translate("zh", words) == "“Levee”已从电视、微信撤回：wrong figures"
    assert from_json(json.loads(json.dumps(words.as_json()))) == words
    # Text people typed is never read as places to fill.
    typed = Message("{source} interrupted: {reason}", source="cam-{1}", reason="{reason}")
    assert translate("zh", typed) == "cam-{1} 中断：{reason}"


def test_accept_language_picks_the_language_liked_best() -> None:
    assert accepted_language("en-US,en;q=0.9") == "en"
    assert accepted_language("fr, en;q=0.5, zh-CN;q=0.8") == "zh"
    assert accepted_language("fr-FR") is None
    assert accepted_language("en;q=abc, zh;q=0.1") == "zh"


@pytest.fixture
def reader(hub_url: str) -> Iterator[httpx.Client]:
    """A client that says nothing of its language."""
    with httpx.Client(base_url=hub_url) as client:
        yield client


def bearer(staff: Staff, name: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.tokens[name]}", **headers}


def declined_assignment(reader: httpx.Client, staff: Staff) -> str:
    """Levee, planned by dana, assigned to rui, who declined it: an alert on the wall."""
    planned = reader.post("/api/assignments", json=PLAN, headers=bearer(staff, "dana"))
    assert planned.status_code == 201, planned.text
    aid = str(planned.json()["id"])
    for who, path, body in (
        ("dana", "assign", {"reporter": "rui"}),
        ("rui", "decline", {"reason": "too far"}),
    ):
        done = reader.post(f"/api/assignments/{aid}/{path}", json=body, headers=bearer(staff, who))
        assert done.status_code == 200, done.text
    return aid


def test_the_wall_and_the_audit_trail_read_in_chinese_unless_english_is_asked_for(
    reader: httpx.Client, staff: Staff
) -> None:
    aid = declined_assignment(reader, staff)
    wall = bearer(staff, "wally")
    alert = reader.get("/api/wall", headers=wall).json()["alerts"][-1]
    assert alert["msg"] == "{actor} declined {title}: {reason}"
    assert alert["args"] == {"actor": "rui", "title": "Levee", "reason": "too far"}
    assert alert["text"] == "rui 拒单“Levee”：too far"
    english = reader.get("/api/wall?lang=en", headers=wall).json()["alerts"][-1]
    assert english["text"] == "rui declined Levee: too far"
    replayed = reader.get("/api/wall?at=1000&lang=en", headers=wall).json()["alerts"][-1]
    assert replayed["text"] == "rui declined Levee: too far"

    audit = bearer(staff, "audrey")
    entries = reader.get(f"/api/audit?subject={aid}", headers=audit).json()["entries"]
    assert [e["summary"] for e in entries] == [
        "策划任务“Levee”（普通），地点：East bridge",
        "将“Levee”派给 rui",
        "拒单“Levee”",
    ]
    assert entries[1]["summary_message"] == {
        "msg": "assigned {reporter} to '{title}'",
        "args": {"reporter": "rui", "title": "Levee"},
    }
    english = reader.get(f"/api/audit?subject={aid}", headers={**audit, "Accept-Language": "en"})
    assert english.json()["entries"][1]["summary"] == "assigned rui to 'Levee'"


def test_api_errors_speak_chinese_by_default_and_english_when_asked(
    reader: httpx.Client, staff: Staff
) -> None:
    chinese = "wally无权查看事件日志：需要角色 auditor"
    english = "wally may not read the event log: it needs the role auditor"
    for headers, params, cookies, said in (
        ({}, {}, {}, chinese),
        ({}, {"lang": "en"}, {}, english),
        ({"Accept-Language": "en-GB,en;q=0.8"}, {}, {}, english),
        ({}, {}, {"lang": "en"}, english),
        ({"Accept-Language": "en"}, {}, {"lang": "zh"}, chinese),  # the person's own choice
    ):
        reader.cookies.clear()
        reader.cookies.update(cookies)
        answer = reader.get("/api/events", params=params, headers=bearer(staff, "wally", **headers))
        assert answer.status_code == 403
        assert answer.json()["error"] == {"code": "forbidden", "message": said}
    reader.cookies.clear()
    # A rule of the domain, with a phrase of its own translated inside it.
    aid = declined_assignment(reader, staff)
    refused = reader.post(f"/api/assignments/{aid}/accept", json={}, headers=bearer(staff, "rui"))
    assert refused.json()["error"]["message"] == "任务“Levee”已拒单，不能接受"
    # A body that does not fit: pydantic's words for each field stay English, the sentence not.
    invalid = reader.post("/api/assignments", json={}, headers=bearer(staff, "dana"))
    assert invalid.status_code == 422
    assert invalid.json()["error"]["message"].startswith("请求内容不合格：title: Field required")
    nowhere = reader.get("/api/nowhere?lang=en")
    assert nowhere.json()["error"]["message"] == "there is nothing at this address"


def page_words(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page, re.S)
    assert found is not None
    words: dict[str, str] = json.loads(html.unescape(found.group(1)))
    return words


def test_pages_and_their_scripts_get_their_words_from_the_catalog(
    reader: httpx.Client, staff: Staff
) -> None:
    wall = reader.get("/wall", headers=bearer(staff, "wally"))
    assert "告警" in wall.text and "lang" not in wall.cookies
    words = page_words(wall.text)
    assert words["wall.alerts"] == "告警"
    assert words["{actor} declined {title}: {reason}"] == "{actor} 拒单“{title}”：{reason}"
    english = reader.get("/wall?lang=en", headers=bearer(staff, "wally"))
    assert "Alerts" in english.text and english.cookies["lang"] == "en"
    assert page_words(english.text)["wall.alerts"] == "Alerts"
    audit = reader.get("/audit", headers=bearer(staff, "audrey"))  # the cookie says English now
    assert "<title>Audit trail" in audit.text
    reader.cookies.clear()
    audit = reader.get("/audit", headers=bearer(staff, "audrey"))
    assert "<title>审计留痕" in audit.text and "拖动回溯大屏" in audit.text


def test_every_aggregate_and_every_path_value_is_named_in_chinese() -> None:
    """A 404 names what was not found in the reader's words, never a class or field name."""
    zh = catalog("zh")
    for module in pkgutil.iter_modules(events.__path__):
        importlib.import_module(f"events.{module.name}")
    aggregates = [
        cls
        for cls in all_subclasses(NewsroomAggregate)
        if cls.__module__.startswith("events.") and "." not in cls.__qualname__
    ]
    assert len(aggregates) > 20
    assert [cls.__name__ for cls in aggregates if kind_words(cls).msgid not in zh] == []
    unnamed = [
        (command.__name__, field)
        for command in routed_commands()
        for field in command.http.path_fields
        if _noun(command, field).msgid not in zh
    ]
    assert unnamed == []


def all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(all_subclasses(sub) for sub in found))
