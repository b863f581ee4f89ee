"""Domain errors: a business rule said no.

Exception tree::

    DomainError
     ├── InvalidValue       a field is missing, empty or out of range
     ├── NotPermitted       the actor lacks the role, or it is not theirs to do
     └── RuleBroken         the rule of the state machine forbids it now
          └── ReviewRuleBroken   the three-level review forbids it

Each carries its words as a message id and arguments (events/messages.py), so the API says
them in the reader's language; `message` is the English. `WordedError` holds them, for these and
for the application's own errors (hub/errors.py).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from events.messages import Message


class WordedError(Exception):
    """An error whose words are a message id and its arguments; `message` is the English.

    `code` names the error in the API's answer: its class's name in snake case unless the class
    says another."""

    code: ClassVar[str] = "worded_error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in vars(cls):
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def __init__(self, message: str, /, **args: Any) -> None:
        self.words = Message(message, **args)
        self.message = str(self.words)
        super().__init__(self.message)


class DomainError(WordedError):
    """A command was refused by a business rule."""


class InvalidValue(DomainError):
    """A field is missing, empty or out of range."""


class NotPermitted(DomainError):
    """The actor lacks the role, or the thing is not theirs to act on."""


class RuleBroken(DomainError):
    """The state machine forbids the command in the current state."""


class ReviewRuleBroken(RuleBroken):
    """The three-level review forbids the decision."""
