"""The hash chain that makes the event log tamper-evident.

Each stored event's hash covers its predecessor's hash, its own global position and every stored
field, so that altering, removing, inserting, reordering or copying a row breaks the chain at that
position. The chain head (last position and hash) is kept in its own table and in audit exports, so
that removing the newest events is detected too.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from uuid import UUID

GENESIS = bytes(32)
_INTS = struct.Struct(">QQq")  # position, originator version, recorded_at (µs since the epoch)


def link(
    previous: bytes,
    position: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    recorded_at: int,
) -> bytes:
    """Returns the chain hash of one stored event, given the hash of the one before it."""
    digest = hashlib.sha256(previous)
    digest.update(_INTS.pack(position, originator_version, recorded_at))
    digest.update(originator_id.bytes)
    topic_bytes = topic.encode()
    digest.update(len(topic_bytes).to_bytes(4, "big"))
    digest.update(topic_bytes)
    digest.update(len(state).to_bytes(8, "big"))
    digest.update(state)
    return digest.digest()


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The newest link of the chain: position and hash (GENESIS at position 0)."""

    position: int
    hash: bytes
    recorded_at: int

    def as_dict(self) -> dict[str, int | str]:
        return {"position": self.position, "hash": self.hash.hex(), "recorded_at": self.recorded_at}
