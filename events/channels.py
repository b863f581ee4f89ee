"""The channels a story can be published to ("one capture, many products, every channel")."""

from __future__ import annotations

from collections.abc import Iterable

from events.errors import InvalidValue
from events.messages import N_

# Channel id -> Chinese label, in the order the publishing matrix shows them.
CHANNELS: dict[str, str] = {
    "tv": "电视",
    "radio": "广播",
    "paper": "报纸",
    "website": "网站",
    "app": "客户端",
    "wechat": "微信",
    "weibo": "微博",
    "douyin": "抖音",
    "outdoor": "户外大屏",
    "emergency": "应急广播",
}

# Channel id -> its name as a message id (the catalogs say it in each language).
CHANNEL_WORDS: dict[str, str] = {
    "tv": N_("TV"),
    "radio": N_("Radio"),
    "paper": N_("Paper"),
    "website": N_("Website"),
    "app": N_("App"),
    "wechat": N_("WeChat"),
    "weibo": N_("Weibo"),
    "douyin": N_("Douyin"),
    "outdoor": N_("Outdoor screen"),
    "emergency": N_("Emergency broadcast"),
}


def parse_channels(values: Iterable[str], *, allow_empty: bool = False) -> tuple[str, ...]:
    """Returns the channels in matrix order without repeats, refusing unknown ones."""
    wanted = set()
    for value in values:
        if value not in CHANNELS:
            raise InvalidValue(
                "unknown channel '{value}'; channels are: {known}",
                value=value,
                known=list(CHANNELS),
            )
        wanted.add(value)
    if not wanted and not allow_empty:
        raise InvalidValue("name at least one channel")
    return tuple(channel for channel in CHANNELS if channel in wanted)
