"""Chinese text for the 舆情 rules: words cut by jieba, negativity scored by snownlp's model.

Both load their dictionaries and models on first use (seconds of CPU), so the hub starts without
them and the first item pays once; `warm()` lets the watch service load them in the background.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from projections.opinion_rules import Words

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def _jieba() -> Any:
    with _lock:
        if "jieba" not in _loaded:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _loaded["jieba"] = jieba
        return _loaded["jieba"]


def _snownlp() -> Callable[[str], Any]:
    with _lock:
        if "snownlp" not in _loaded:
            from snownlp import SnowNLP

            _loaded["snownlp"] = SnowNLP
        found: Callable[[str], Any] = _loaded["snownlp"]
        return found


def warm() -> None:
    """Loads the dictionary and the sentiment model (call from a worker thread)."""
    _jieba()
    _snownlp()


@lru_cache(maxsize=4096)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(t for t in _jieba().lcut(text) if t.strip())


def segment(text: str) -> list[str]:
    """The words of a text, in order (spaces dropped)."""
    return list(_cut(text))


@lru_cache(maxsize=4096)
def words(text: str) -> Words:
    """The text's words in order, and every word and sub-word jieba's search mode finds."""
    tokens = _cut(text)
    found = frozenset(t for t in _jieba().lcut_for_search(text) if t.strip())
    return Words(tokens, found | frozenset(tokens))


def negativity(text: str) -> float:
    """How negative a text reads, 0 to 1: one minus snownlp's probability that it is positive."""
    if not text.strip():
        return 0.0
    return round(1.0 - float(_snownlp()(text[:2000]).sentiments), 4)
