"""The people the hub knows (admins read the list; the commands about people are in
hub/commands/people.py)."""

from __future__ import annotations

from typing import Any

from events.roles import Role
from hub.queries import user_list
from web.answers import Users
from web.endpoints import Call, Endpoint


async def list_users(call: Call) -> dict[str, Any]:
    return {"users": await call.read_models(lambda _: user_list(call.rt.models.directory))}


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/api/users", list_users, "List users", "people", Users, roles=(Role.ADMIN,)),
]
