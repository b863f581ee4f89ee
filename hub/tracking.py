"""Tracking codes: what a citizen keeps to read the progress of their lead.

A code is 80 random bits in 16 letters and digits that cannot be mistaken for one another
(no 0/O, 1/I/L), shown in four groups. Only its SHA-256 is kept (in the lead's first event), so
the log and its exports never hold a code that would open someone's tracking page.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16
SHAPE = re.compile(r"^[2-9A-HJKMNP-Z]{16}$")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalized(code: str) -> str | None:
    """The code's 16 letters, upper-cased, without dashes or spaces; None if it is no code."""
    raw = re.sub(r"[\s-]", "", code[:40]).upper()
    return raw if SHAPE.match(raw) else None


def code_hash(code: str) -> str:
    """The hash the lead keeps; any spelling of the same code gives the same hash."""
    raw = normalized(code) or code
    return hashlib.sha256(f"lead-code:{raw}".encode()).hexdigest()
