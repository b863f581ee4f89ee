"""Grading 舆情 items by the centre's rules, and telling near-identical texts apart. Pure.

The caller segments the text (jieba) and scores its negativity (snownlp) in hub/opinion/text.py
and passes the results in, with the segmenter for the rules' own terms, so the same words are
cut the same way on both sides. A term matches a word of the text, or one of the words inside a
compound (jieba's search mode: "爆炸" in "发生爆炸"), or, for a phrase, its words in a row
("县人民医院"). Words that only meet across a word boundary do not match: "和服" is not in
"这里的和服务员", nor "市长" in "南京市长江大桥".
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from events.messages import Message
from events.opinion import LEVEL_WORDS, level_rank

Segment = Callable[[str], list[str]]
NEAR = 3  # simhash bits two near-identical texts may differ by
SHORT = 8  # fewer tokens than this: near-identical means the same words


@dataclass(frozen=True)
class Rule:
    """A rule as the read model keeps it (events/opinion.py OpinionRule.Written)."""

    id: str
    name: str
    level: str
    terms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    negative: float | None = None
    volume: int | None = None
    window: int | None = None  # minutes

    @classmethod
    def of(cls, item: dict[str, Any]) -> Rule:
        return cls(
            id=item["id"],
            name=item["name"],
            level=item["level"],
            terms=tuple(item["terms"]),
            places=tuple(item["places"]),
            negative=item["negative"],
            volume=item["volume"],
            window=item["window"],
        )


@dataclass(frozen=True)
class Seen:
    """An item (or repeat) seen earlier: when, and which rule terms and places it mentioned."""

    at: datetime
    hits: frozenset[str]


@dataclass
class Grade:
    """What the rules decided: the highest level among the rules that held, and why."""

    level: str | None = None
    reasons: list[Message] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)

    def reasons_json(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.reasons]


@dataclass(frozen=True)
class Words:
    """A text as the rules read it: its words in order, and every word and sub-word it holds."""

    tokens: tuple[str, ...]
    words: frozenset[str]


def mentions(text: Words, term: str, segment: Segment) -> bool:
    """Whether the text mentions the term (see the module's docstring)."""
    if term in text.words:
        return True
    wanted = [t for t in segment(term) if t.strip()]
    n = len(wanted)
    if n < 2:
        return False
    tokens = text.tokens
    return any(list(tokens[i : i + n]) == wanted for i in range(len(tokens) - n + 1))


def hits_of(text: Words, rules: Iterable[Rule], segment: Segment) -> list[str]:
    """Every rule term and place the text mentions."""
    words = {w for rule in rules for w in (*rule.terms, *rule.places)}
    return sorted(w for w in words if mentions(text, w, segment))


def grade(
    text: Words,
    negative: float,
    at: datetime,
    rules: Iterable[Rule],
    recent: Iterable[Seen],
    segment: Segment,
) -> Grade:
    """Grades an item seen at `at`; `recent` are the items seen before it (for volume)."""
    rules = list(rules)
    hits = hits_of(text, rules, segment)
    found = set(hits)
    seen = list(recent)
    held = [(rule, why) for rule in rules if (why := _reasons(rule, found, negative, at, seen))]
    # The reason of the highest level first: it is the one the wall shows.
    held.sort(key=lambda pair: -level_rank(pair[0].level))
    result = Grade(hits=hits, level=held[0][0].level if held else None)
    for rule, why in held:
        words = Message(
            "{rule} ({level}): {why}",
            rule=rule.name,
            level=Message(LEVEL_WORDS[rule.level]),
            why=why,
        )
        result.reasons.append(words)
    return result


def _reasons(
    rule: Rule, found: set[str], negative: float, at: datetime, seen: list[Seen]
) -> list[Message] | None:
    """Why the rule holds (one reason per condition), or None when a condition fails."""
    why: list[Message] = []
    if rule.terms:
        terms = [t for t in rule.terms if t in found]
        if not terms:
            return None
        why.append(Message("mentions {terms}", terms=terms))
    if rule.places:
        places = [p for p in rule.places if p in found]
        if not places:
            return None
        why.append(Message("names {places}", places=places))
    if rule.negative is not None:
        if negative < rule.negative:
            return None
        why.append(
            Message(
                "negativity {score} ≥ {threshold}",
                score=format(negative, ".2f"),
                threshold=format(rule.negative, ".2f"),
            )
        )
    if rule.volume is not None and rule.window is not None:
        count = 1 + volume(rule, at, seen)
        if count < rule.volume:
            return None
        why.append(Message("{count} items in {minutes} minutes", count=count, minutes=rule.window))
    return why


def volume(rule: Rule, at: datetime, seen: Iterable[Seen]) -> int:
    """How many items seen in the rule's window before `at` mention its terms or places (all
    items, when it names none)."""
    since = at - timedelta(minutes=rule.window or 0)
    words = set(rule.terms) | set(rule.places)
    return sum(1 for s in seen if since <= s.at <= at and (not words or words & s.hits))


# -- near-identical texts --------------------------------------------------------------------


def fingerprint(tokens: Sequence[str]) -> str:
    """A 64-bit simhash of the text's words (weighted by count), as 16 hex digits; a short text
    is fingerprinted by its letters instead ("s" and a hash of them: spaces and punctuation
    aside, and however it was cut)."""
    words = [t for t in tokens if t.strip() and not _punctuation(t)]
    if len(words) < SHORT:
        letters = "".join(ch for ch in "".join(words) if ch.isalnum())
        return "s" + hashlib.blake2b(letters.encode(), digest_size=8).hexdigest()
    weights = [0] * 64
    for word, count in Counter(words).items():
        bits = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        for i in range(64):
            weights[i] += count if bits >> i & 1 else -count
    value = sum(1 << i for i, w in enumerate(weights) if w > 0)
    return f"{value:016x}"


def near(a: str, b: str) -> bool:
    """Whether two fingerprints are of near-identical texts."""
    if a.startswith("s") or b.startswith("s"):
        return a == b
    return bin(int(a, 16) ^ int(b, 16)).count("1") <= NEAR


def _punctuation(token: str) -> bool:
    return all(not ch.isalnum() for ch in token)
