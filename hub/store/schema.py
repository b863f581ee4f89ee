"""The tables of the store, declared once for SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid; BIGINT elsewhere.
BigInt = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

events = Table(
    "hub_events",
    metadata,
    Column("id", BigInt, primary_key=True, autoincrement=False),  # global position, gap-free
    Column("originator_id", Uuid(), nullable=False),
    Column("originator_version", BigInt, nullable=False),
    Column("topic", Text(), nullable=False),
    Column("state", LargeBinary(), nullable=False),
    Column("recorded_at", BigInt, nullable=False),  # µs since the epoch, database clock, monotonic
    Column("hash", LargeBinary(), nullable=False),
    Index("hub_events_aggregate", "originator_id", "originator_version", unique=True),
    Index("hub_events_recorded_at", "recorded_at"),
)

chain_head = Table(
    "hub_chain_head",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInt, nullable=False),
    Column("hash", LargeBinary(), nullable=False),
    Column("recorded_at", BigInt, nullable=False),
)

idempotency = Table(
    "hub_idempotency",
    metadata,
    Column("actor", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("command", String(64), nullable=False),
    Column("result", Text(), nullable=False),
    Column("position", BigInt, nullable=False),
)

checkpoints = Table(
    "hub_checkpoints",
    metadata,
    Column("model", String(64), primary_key=True),
    Column("position", BigInt, primary_key=True),
    Column("state", LargeBinary(), nullable=False),
)

audit_timeline = Table(
    "hub_audit",
    metadata,
    Column("position", BigInt, primary_key=True, autoincrement=False),
    Column("recorded_at", BigInt, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("related", String(64), nullable=True),  # e.g. the assignment of a story event
    Column("action", String(64), nullable=False),
    Column("summary", Text(), nullable=False),
    Column("reason", Text(), nullable=True),
    Index("hub_audit_actor", "actor", "position"),
    Index("hub_audit_subject", "subject_id", "position"),
    Index("hub_audit_related", "related", "position"),
)

# Signing secrets of outlets and origins: used to sign and verify, so kept as they are, and never
# in the log or an idempotency record (events name a secret by its id).
signing_secrets = Table(
    "hub_signing_secrets",
    metadata,
    Column("owner", String(36), primary_key=True),  # the outlet's or origin's id
    Column("secret_id", String(32), primary_key=True),
    Column("secret", Text(), nullable=False),
)

tracking = Table(
    "hub_tracking",
    metadata,
    Column("model", String(64), primary_key=True),
    Column("position", BigInt, nullable=False),
)


# The shared secrets of the systems that send leads (signed webhooks, Open311 api keys): kept
# here, never in the event log, so that an audit export cannot forge a source's signature.
intake_secrets = Table(
    "hub_intake_secrets",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("secret", Text(), nullable=False),
    Column("created_at", BigInt, nullable=False),
)
