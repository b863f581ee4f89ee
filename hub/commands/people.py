"""People and their credentials: register, passwords, tokens, roles, deactivation.

A new person's first token and every issued token are answered once: only hashes are stored.
People manage their own tokens and password; admins anyone's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import Field

from events.messages import N_, Message
from events.roles import Role
from events.user import User
from hub.commands.base import ByName, Command, Http
from hub.commands.fields import Name, Reason, RoleId, line
from hub.credentials import SECRET_FIELD, new_token
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

U = "/api/users/{name}"
TAG = "people"
Password = Field(min_length=8, max_length=1024, repr=False)


class RegisterUser(Command):
    """Register a user."""

    http = Http(
        "POST",
        "/api/users",
        TAG,
        roles=(Role.ADMIN,),
        creates="/api/users",
        answer="token",
        description="Answers the user's first bearer token, shown this once only.",
    )
    name: Name
    roles: list[RoleId] = Field(min_length=1, max_length=9)
    display_name: str = line(100, default="")
    password: str | None = Field(default=None, min_length=8, max_length=1024, repr=False)

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        r.actor.require(Role.ADMIN, doing=N_("register users"))
        token = new_token()

        def make() -> User:
            user = User.register(
                id=named_id("user", self.name),
                at=r.at,
                actor=r.actor.name,
                name=self.name,
                display_name=self.display_name,
                roles=list(self.roles),
            )
            if self.password:
                password_hash = newsroom.passwords.hash(self.password)
                user.set_password(at=r.at, actor=r.actor.name, password_hash=password_hash)
            user.issue_token(
                at=r.at,
                actor=r.actor.name,
                token_id=token.token_id,
                token_hash=token.hash,
                label="first",
            )
            return user

        return newsroom.create(
            r,
            self.command_name(),
            make,
            what=Message("user '{name}'", name=self.name),
            extra={"name": self.name, "token_id": token.token_id, SECRET_FIELD: token.secret},
        )


class OnUser(ByName, on=User, noun="user", abstract=True):
    """A change to the person the path names."""

    def target(self, newsroom: Newsroom) -> UUID:
        return newsroom.user(self.name).id

    def require_self_or_admin(self, r: Request, doing: str) -> None:
        if r.actor.name != self.name:
            r.actor.require(
                Role.ADMIN, doing=Message("{doing} of {name}", doing=Message(doing), name=self.name)
            )


class SetPassword(OnUser):
    """Set a password."""

    http = Http("PUT", f"{U}/password", TAG)
    password: str = Password

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        self.require_self_or_admin(r, N_("set the password"))
        password_hash = newsroom.passwords.hash(self.password)
        return self.change(
            newsroom,
            r,
            lambda u: u.set_password(at=r.at, actor=r.actor.name, password_hash=password_hash),
        )


class IssueToken(OnUser):
    """Issue a bearer token."""

    http = Http(
        "POST",
        f"{U}/tokens",
        TAG,
        answer="token",
        description="One's own, or anyone's for an admin; the secret is shown this once only.",
    )
    label: str = line(100, min_length=1, default="api")

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        self.require_self_or_admin(r, N_("issue tokens"))
        token = new_token()
        return self.change(
            newsroom,
            r,
            lambda u: u.issue_token(
                at=r.at,
                actor=r.actor.name,
                token_id=token.token_id,
                token_hash=token.hash,
                label=self.label,
            ),
            extra={SECRET_FIELD: token.secret, "token_id": token.token_id},
        )


class RevokeToken(OnUser):
    """Revoke a bearer token."""

    http = Http("DELETE", f"{U}/tokens/{{token_id}}", TAG)
    token_id: str = line(64, min_length=1)
    reason: str = line(500, min_length=1, default="revoked")

    def check(self, newsroom: Newsroom, r: Request) -> None:
        self.require_self_or_admin(r, N_("revoke tokens"))

    def decide(self, u: User, r: Request) -> None:
        u.revoke_token(at=r.at, actor=r.actor.name, token_id=self.token_id, reason=self.reason)


class ChangeRoles(OnUser):
    """Change a person's roles."""

    http = Http("PUT", f"{U}/roles", TAG, roles=(Role.ADMIN,))
    roles: list[RoleId] = Field(min_length=1, max_length=9)
    reason: Reason

    def decide(self, u: User, r: Request) -> None:
        r.actor.require(Role.ADMIN, doing=N_("change roles"))
        u.change_roles(at=r.at, actor=r.actor.name, roles=list(self.roles), reason=self.reason)


class DeactivateUser(OnUser):
    """Deactivate a person: their sessions and tokens stop working at once."""

    http = Http("POST", f"{U}/deactivate", TAG, roles=(Role.ADMIN,))
    reason: Reason

    def decide(self, u: User, r: Request) -> None:
        r.actor.require(Role.ADMIN, doing=N_("deactivate people"))
        u.deactivate(at=r.at, actor=r.actor.name, reason=self.reason)
