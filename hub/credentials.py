"""Passwords (argon2) and bearer tokens (random, stored only as a SHA-256 hash)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "hub_"
SECRET_FIELD = "token"  # the field of a command's answer that carries a new token's secret


@dataclass(frozen=True, slots=True)
class NewToken:
    """A freshly made bearer token: the secret is shown once, only its hash is stored."""

    token_id: str
    secret: str

    @property
    def hash(self) -> str:
        return hash_token(self.secret)


def new_token() -> NewToken:
    token_id = secrets.token_hex(4)
    return NewToken(token_id, f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(24)}")


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Passwords:
    """Hashes and checks passwords; cheap parameters can be chosen for tests."""

    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19_456) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def check(self, password_hash: str | None, password: str) -> bool:
        if not password_hash:
            return False
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
