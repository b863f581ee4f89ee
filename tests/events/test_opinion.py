"""舆情 grading and near-identical texts (pure, with jieba cutting the words), and the warning's
rules: acknowledged by the person on duty, escalated once, assigned once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.opinion import OpinionItem, OpinionRule
from hub.opinion.text import segment, words
from projections.opinion_rules import Rule, Seen, fingerprint, grade, near
from tests.events.helpers import DESK_HEAD, DISPATCHER, EDITOR, at, new

BLAST = Rule("r1", "安全事故", "red", terms=("爆炸", "泄漏"))
POLLUTION = Rule("r2", "城关镇污染", "orange", terms=("污染",), places=("城关镇",))
ANGER = Rule("r3", "负面情绪", "yellow", negative=0.9)
SWARM = Rule("r4", "化工厂聚集", "yellow", terms=("化工厂",), volume=3, window=60)


def graded(text: str, negative: float = 0.1, recent: list[Seen] | None = None):  # type: ignore[no-untyped-def]
    rules = [BLAST, POLLUTION, ANGER, SWARM]
    return grade(words(text), negative, at(), rules, recent or [], segment)


def test_a_keyword_grades_red_and_says_which_rule_and_word() -> None:
    g = graded("城关镇化工厂发生爆炸，多人受伤")
    assert g.level == "red"
    assert str(g.reasons[0]) == "安全事故 (red): mentions 爆炸"
    assert g.hits == ["化工厂", "城关镇", "爆炸"]


def test_every_condition_of_a_rule_must_hold() -> None:
    assert graded("河道污染严重").level is None  # 污染, but not in 城关镇
    g = graded("城关镇河道污染严重，居民投诉")
    assert g.level == "orange"
    assert str(g.reasons[0]) == "城关镇污染 (orange): mentions 污染, names 城关镇"


def test_a_term_matches_words_and_phrases_never_across_a_word_boundary() -> None:
    rule = Rule("r", "人物", "blue", terms=("和服", "市长", "县人民医院"))
    assert grade(words("这里的和服务员"), 0.0, at(), [rule], [], segment).level is None
    assert grade(words("南京市长江大桥"), 0.0, at(), [rule], [], segment).level is None
    hit = grade(words("县人民医院门口聚集"), 0.0, at(), [rule], [], segment)
    assert hit.hits == ["县人民医院"]


def test_negativity_over_the_threshold_grades() -> None:
    assert graded("服务太差了", negative=0.85).level is None
    g = graded("服务太差了", negative=0.95)
    assert g.level == "yellow"
    assert str(g.reasons[0]) == "负面情绪 (yellow): negativity 0.95 ≥ 0.90"


def test_volume_over_a_window_counts_earlier_mentions() -> None:
    now = at()
    old = Seen(now - timedelta(minutes=90), frozenset({"化工厂"}))
    fresh = Seen(now - timedelta(minutes=5), frozenset({"化工厂"}))
    other = Seen(now - timedelta(minutes=5), frozenset({"城关镇"}))
    text = words("化工厂门口有人聚集")
    rules = [SWARM]
    assert grade(text, 0.0, now, rules, [old, fresh, other], segment).level is None
    g = grade(text, 0.0, now, rules, [old, fresh, fresh], segment)
    assert g.level == "yellow"
    assert str(g.reasons[0]) == "化工厂聚集 (yellow): mentions 化工厂, 3 items in 60 minutes"


def test_near_identical_texts_share_a_fingerprint_and_others_do_not() -> None:
    a = "今天上午十点，城关镇化工厂发生爆炸，现场浓烟滚滚，消防部门已赶到现场救援，伤亡情况不明。"
    b = "今天上午十点，城关镇化工厂发生爆炸！现场浓烟滚滚，消防部门已赶到现场救援，伤亡情况不明"
    c = "县人民医院今天举办义诊活动，数百名群众排队咨询，专家现场解答健康问题，活动持续到下午。"
    assert near(fingerprint(segment(a)), fingerprint(segment(b)))
    assert not near(fingerprint(segment(a)), fingerprint(segment(c)))
    assert near(fingerprint(segment("桥塌了")), fingerprint(segment("桥 塌了！")))


def item(level: str | None = "red") -> OpinionItem:
    fields = {
        "actor": DISPATCHER,
        "feed": "f",
        "url": "https://example.org/1",
        "title": "化工厂爆炸",
        "text": "",
        "published": None,
        "fingerprint": "s0",
        "negative": 0.5,
        "hits": ["爆炸"],
        "reasons": [],
    }
    return new(OpinionItem.collect, fields, level=level)


def test_a_warning_is_acknowledged_by_the_person_on_duty_once() -> None:
    w = item()
    with pytest.raises(NotPermitted, match="eddie is not on duty"):
        w.acknowledge(at=at(), actor=EDITOR, on_duty=False)
    w.acknowledge(at=at(), actor=EDITOR, on_duty=True)
    with pytest.raises(RuleBroken, match="acknowledged already"):
        w.acknowledge(at=at(), actor=EDITOR, on_duty=True)
    with pytest.raises(RuleBroken, match="only an unacknowledged orange or red"):
        w.escalate(at=at(), actor=DISPATCHER, to="chen", after=600)


def test_only_orange_and_red_escalate_and_once() -> None:
    with pytest.raises(RuleBroken):
        item("yellow").escalate(at=at(), actor=DISPATCHER, to="chen", after=600)
    w = item("orange")
    w.escalate(at=at(), actor=DISPATCHER, to="chen", after=600)
    with pytest.raises(RuleBroken):
        w.escalate(at=at(), actor=DISPATCHER, to="chen", after=600)


def test_a_repeat_raises_the_level_but_never_lowers_it() -> None:
    w = item(None)
    w.repeat(at=at(), actor=DISPATCHER, feed="f", url="u2", level="yellow", reasons=[])
    w.repeat(at=at(), actor=DISPATCHER, feed="f", url="u3", level="blue", reasons=[])
    kinds = [type(e).__name__ for e in w.collect_events()]
    assert kinds == ["Collected", "Repeated", "Regraded", "Repeated"]
    assert (w.level, w.state) == ("yellow", "raised")


def test_a_rule_needs_a_condition_and_a_window_with_its_volume() -> None:
    def write(**kw: object) -> OpinionRule:
        fields = {
            "actor": DESK_HEAD,
            "name": "r",
            "level": "red",
            "terms": [],
            "places": [],
            "negative": None,
            "volume": None,
            "window": None,
        }
        return new(OpinionRule.write, fields, **kw)

    with pytest.raises(InvalidValue, match="needs a condition"):
        write(terms=[" "])
    with pytest.raises(InvalidValue, match="window"):
        write(volume=5)
    with pytest.raises(NotPermitted):
        write(actor=EDITOR, terms=["x"])
    assert write(terms=["爆炸", "爆炸"]).collect_events()[0].terms == ["爆炸"]  # type: ignore[attr-defined]
