"""Domain errors: a business rule said no.

Exception tree::

    DomainError
     ├── InvalidValue       a field is missing, empty or out of range
     ├── NotPermitted       the actor lacks the role, or it is not theirs to do
     └── RuleBroken         the rule of the state machine forbids it now
          └── ReviewRuleBroken   the three-level review forbids it

Messages are exact and meant for people: the API shows them as they are.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by a business rule."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
