"""The event store: eventsourcing on SQLAlchemy (SQLite or PostgreSQL), hash-chained."""
