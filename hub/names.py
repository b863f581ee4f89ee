"""Ids of named things: a user, a source or an output is found by its name."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "urn:hub:newsroom")


def named_id(kind: str, name: str) -> UUID:
    """The id of a named thing (user, source, output) is derived from its name."""
    return uuid5(NAMESPACE, f"{kind}:{name}")
