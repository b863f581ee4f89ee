"""Words for people, kept as a message id and its arguments until someone reads them.

A message id is the English sentence with `{named}` places (gettext's msgid, see docs/i18n.md).
An argument is text or a number (shown as it is: names, titles, reasons people typed), another
Message (a phrase that is translated as well), or a list of them. The core and the read models
make messages and never translate: the edge renders them in the reader's language from the
catalogs (web/i18n.py), and `str()` gives the English, which the CLI and the logs show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

PLACE = re.compile(r"\{(\w+)\}")


def N_(msgid: str) -> str:
    """Marks a message id for the catalogs where it is not made into a Message yet."""
    return msgid


# i18n: what goes between the items of a list in a sentence ("tv, radio")
LIST_SEPARATOR = N_(", ")


class Message:
    """A message id and the arguments that fill its places."""

    __slots__ = ("args", "msgid")

    def __init__(self, msgid: str, /, **args: Any) -> None:
        self.msgid = msgid
        self.args: Mapping[str, Any] = args

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.args) == (other.msgid, other.args)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {dict(self.args)!r})"

    def __str__(self) -> str:
        return render(self, str)

    def as_json(self) -> dict[str, Any]:
        """The message as JSON: {"msg": id, "args": {...}}, nested messages likewise."""
        return {"msg": self.msgid, "args": {k: _json_arg(v) for k, v in self.args.items()}}


def _json_arg(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, list | tuple):
        return [_json_arg(v) for v in value]
    return value


def from_json(data: Mapping[str, Any]) -> Message:
    """The message that `Message.as_json` gave."""
    return Message(str(data["msg"]), **{k: _arg_from_json(v) for k, v in data["args"].items()})


def _arg_from_json(value: Any) -> Any:
    if isinstance(value, dict) and "msg" in value:
        return from_json(value)
    if isinstance(value, list):
        return [_arg_from_json(v) for v in value]
    return value


def either(items: list[Any]) -> Any:
    """Items joined as alternatives: "a, b or c" (a single item as it is)."""
    if len(items) < 2:
        return items[0] if items else ""
    return Message("{items} or {last}", items=items[:-1], last=items[-1])


def render(message: Message, translate: Callable[[str], str]) -> str:
    """The message's text, with `translate(msgid)` picking each id's words (str: English)."""

    def fill(match: re.Match[str]) -> str:
        return _arg_text(message.args.get(match.group(1)), translate)

    return PLACE.sub(fill, translate(message.msgid))


def _arg_text(value: Any, translate: Callable[[str], str]) -> str:
    if value is None:
        return ""
    if isinstance(value, Message):
        return render(value, translate)
    if isinstance(value, list | tuple):
        return translate(LIST_SEPARATOR).join(_arg_text(v, translate) for v in value)
    return str(value)
