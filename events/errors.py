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

from typing import Any

from events.messages import Message


class WordedError(Exception):
    """An error whose words are a message id and its arguments; `message` is the English."""

    def __init__(self, message: str, /, **args: Any) -> None:
        self.words = Message(message, **args)
        self.message = str(self.words)
        super().__init__(self.message)


class DomainError(WordedError):
    """A command was refused by a business rule."""

    code = "domain_error"


class InvalidValue(DomainError):
    """A field is missing, empty or out of range."""

    code = "invalid_value"


class NotPermitted(DomainError):
    """The actor lacks the role, or the thing is not theirs to act on."""

    code = "not_permitted"


class RuleBroken(DomainError):
    """The state machine forbids the command in the current state."""

    code = "rule_broken"


class ReviewRuleBroken(RuleBroken):
    """The three-level review forbids the decision."""

    code = "review_rule_broken"
