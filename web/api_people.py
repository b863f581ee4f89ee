"""People and their credentials: register users (admin), issue and revoke tokens, set passwords.

A new user's first bearer token and every newly issued token are answered once, never again: only
their hashes are stored. People manage their own tokens and password; admins anyone's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from events.roles import Role
from hub.newsroom import Done
from hub.queries import user_list
from web.answers import Users
from web.endpoints import Call, Endpoint
from web.schemas import Done as DoneAnswer
from web.schemas import IssueToken, RegisterUser, SetPassword, WithToken, lines

U = "/api/users/{name}"


class RevokeQuery(BaseModel):
    reason: str = lines(500, min_length=1, default="revoked")


async def register_user(call: Call) -> Done:
    b: RegisterUser = call.body
    return await call.command(
        lambda r: call.newsroom.register_user(
            r, name=b.name, roles=list(b.roles), display_name=b.display_name, password=b.password
        )
    )


async def issue_token(call: Call) -> Done:
    b: IssueToken = call.body
    name = call.param("name")
    return await call.command(lambda r: call.newsroom.issue_token(r, name=name, label=b.label))


async def revoke_token(call: Call) -> Done:
    q: RevokeQuery = call.query
    name, token_id = call.param("name"), call.param("token_id")
    return await call.command(
        lambda r: call.newsroom.revoke_token(r, name=name, token_id=token_id, reason=q.reason)
    )


async def set_password(call: Call) -> Done:
    b: SetPassword = call.body
    name = call.param("name")
    return await call.command(
        lambda r: call.newsroom.set_password(r, name=name, password=b.password)
    )


async def list_users(call: Call) -> dict[str, Any]:
    return {"users": await call.read_models(lambda _: user_list(call.rt.models.directory))}


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        "/api/users",
        register_user,
        "Register a user",
        "people",
        answer=WithToken,
        status=201,
        body=RegisterUser,
        roles=(Role.ADMIN,),
        writes=True,
        location="/api/users",
        description="Answers the user's first bearer token, shown this once only.",
    ),
    Endpoint(
        "POST",
        f"{U}/tokens",
        issue_token,
        "Issue a bearer token",
        "people",
        answer=WithToken,
        status=201,
        body=IssueToken,
        writes=True,
        if_match="optional",
        description="One's own, or anyone's for an admin; the secret is shown this once only.",
    ),
    Endpoint(
        "DELETE",
        f"{U}/tokens/{{token_id}}",
        revoke_token,
        "Revoke a bearer token",
        "people",
        answer=DoneAnswer,
        query=RevokeQuery,
        writes=True,
        if_match="optional",
    ),
    Endpoint(
        "PUT",
        f"{U}/password",
        set_password,
        "Set a password",
        "people",
        answer=DoneAnswer,
        body=SetPassword,
        writes=True,
        if_match="optional",
    ),
    Endpoint("GET", "/api/users", list_users, "List users", "people", Users, roles=(Role.ADMIN,)),
]
