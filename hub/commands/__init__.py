"""Every command the newsroom takes, each declared once (see hub/commands/base.py)."""

from __future__ import annotations

from hub.commands import (
    assignments,
    clips,
    dispatch,
    live,
    people,
    products,
    stories,
    topics,
)
from hub.commands.base import Change, Command, Create, Http

MODULES = (assignments, dispatch, stories, products, clips, live, people, topics)


def all_commands() -> tuple[type[Command], ...]:
    """Every concrete command (not the bases that say `abstract = True`), module by module."""
    found: list[type[Command]] = []
    for module in MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Command)
                and value.__module__ == module.__name__
                and not vars(value).get("abstract", False)
            ):
                found.append(value)
    return tuple(found)


def routed_commands() -> tuple[type[Command], ...]:
    """The commands the API takes."""
    return tuple(c for c in all_commands() if c.http is not None)


__all__ = ["Change", "Command", "Create", "Http", "all_commands", "routed_commands"]
