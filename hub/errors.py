"""Errors of the application layer (the domain's own live in `events.errors`).

Exception tree::

    HubError
     ├── NotFound              no such assignment, story, user, source ...
     ├── AlreadyExists         a name is taken
     ├── VersionConflict       If-Match named an old version (optimistic concurrency)
     ├── KeyReused             an idempotency key came back with another command
     ├── Unauthenticated       no valid credentials
     └── StoreUnavailable      the database cannot be used now (down, restarting, disk full)

`events.errors.DomainError` (a business rule said no) passes through the application unchanged.
Like it, each is an `events.errors.WordedError`: it carries its words as a message id and
arguments (events/messages.py); `message` is the English.
"""

from __future__ import annotations

from typing import Any

from events.errors import WordedError


class HubError(WordedError):
    """The application refused or could not carry out a request."""


class NotFound(HubError):
    """No such thing: an unknown id or name."""


class AlreadyExists(HubError):
    """A thing of that id or name is there already."""


class VersionConflict(HubError):
    """The caller's expected version is not the current one; the message names both."""

    def __init__(self, message: str, /, *, current_version: int, **args: Any) -> None:
        super().__init__(message, current_version=current_version, **args)
        self.current_version = current_version


class KeyReused(HubError):
    """An Idempotency-Key came again with another request."""

    code = "idempotency_key_reused"


class Unauthenticated(HubError):
    """The caller's credentials are missing, wrong, expired or of a deactivated person."""


class StoreUnavailable(HubError):
    """The store cannot be used right now; the request may be retried after `retry_after` s.

    The store raises it for the database driver's connection-level errors. A write that ends
    this way may or may not have been recorded (a commit whose answer was lost): a retry with
    the same Idempotency-Key returns the first answer if it was.
    """

    retry_after = 2  # seconds: the read models retry about this often while the store is away
