"""Which of the database drivers' errors mean that the store cannot be used right now.

The recorder (hub/store/recorder.py) raises these as `hub.errors.StoreUnavailable`: a retry later
may work, and the HTTP edge answers 503 with Retry-After. Any other error is a fault of ours.
"""

from __future__ import annotations

import sqlite3

from hub.store.sqlite_file import FileGone

# SQLite's primary result codes that say the database file cannot be used now (busy past the
# timeout, locked, out of memory, read-only, I/O error, corrupt, disk full, cannot be opened,
# lock protocol, not a database), not that a statement was wrong: https://sqlite.org/rescode.html
SQLITE_UNUSABLE = frozenset({5, 6, 7, 8, 10, 11, 13, 14, 15, 26})
POSTGRES_UNUSABLE = frozenset({"08", "57", "53", "58"})  # SQLSTATE classes


def is_unavailable(error: BaseException) -> bool:
    """Whether a driver's error means the store cannot be used now (a retry later may work).

    For PostgreSQL: psycopg's OperationalError without a SQLSTATE (the connection was refused or
    lost) or in the classes of a broken connection, a server shutting down or starting up, out of
    resources or failing underneath (08, 57, 53, 58); its InterfaceError (a connection already
    closed). A deadlock or serialization failure (class 40) is an OperationalError too, but says
    nothing about the store's health. SQLAlchemy wraps the same in its own classes. For SQLite:
    the result codes above, and a database file gone from its path (hub/store/sqlite_file.py).
    """
    import psycopg
    import sqlalchemy.exc

    if isinstance(error, FileGone):
        return True
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.orig is not None:
        return is_unavailable(error.orig)
    if isinstance(error, psycopg.InterfaceError):
        return True
    if isinstance(error, psycopg.OperationalError):
        return error.sqlstate is None or error.sqlstate[:2] in POSTGRES_UNUSABLE
    if isinstance(error, sqlite3.DatabaseError):
        code = getattr(error, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in SQLITE_UNUSABLE
    return False
