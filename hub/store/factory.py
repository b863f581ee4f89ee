"""The eventsourcing infrastructure factory: eventsourcing-sqlalchemy's, with our recorder."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import event

from hub.store.recorder import HubRecorder

CONNECT_TIMEOUT = 5  # seconds: a PostgreSQL server that does not answer is unavailable, not slow


class HubDatastore(SQLAlchemyDatastore):
    """eventsourcing-sqlalchemy's datastore; on PostgreSQL the pool tests a connection before
    lending it (one round trip), so that after a server restart its dead connections are
    replaced instead of failing the requests that would have drawn them."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url and url.startswith("postgresql"):
            kwargs.setdefault("pool_pre_ping", True)
            if "connect_timeout" not in url:
                kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT})
        super().__init__(url=url, **kwargs)


class HubFactory(SQLAlchemyFactory):
    """Builds the SQLAlchemy engine once and records through `HubRecorder`."""

    datastore_class = HubDatastore

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        engine = self.datastore.engine
        if engine is not None and engine.dialect.name == "sqlite":
            _configure_sqlite(engine)

    def application_recorder(self) -> ApplicationRecorder:
        recorder = HubRecorder(self.datastore)
        if self.env_create_table():
            recorder.create_table()
        return recorder

    def close(self) -> None:
        engine = self.datastore.engine
        if engine is not None:
            engine.dispose()  # type: ignore[union-attr]


def _configure_sqlite(engine: Any) -> None:
    """WAL (readers never wait for the writer), a generous busy timeout, explicit transactions.

    pysqlite's own implicit BEGIN is switched off so that SQLAlchemy's transactions start with a
    plain BEGIN and the recorder's writes with BEGIN IMMEDIATE (as the SQLAlchemy docs advise).
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
