"""A command that names the aggregate's method deciding it (`calls`) gives that method exactly the
keyword arguments it takes: its fields besides the keys that find the aggregate."""

from __future__ import annotations

import inspect

from hub.commands import all_commands
from hub.commands.base import Change


def test_every_named_method_takes_the_commands_fields() -> None:
    checked = []
    for command in all_commands():
        if not (issubclass(command, Change) and command.calls):
            continue
        method = getattr(command.aggregate, command.calls)
        parameters = inspect.signature(method).parameters
        takes = {name for name in parameters if name not in ("self", "at", "actor")}
        given = set(command.model_fields) - set(command.keys)
        assert given == takes, command.__name__
        assert "at" in parameters and "actor" in parameters, command.__name__
        checked.append(command.__name__)
    assert "SubmitStory" in checked and len(checked) > 10
