"""Transactions on the embedded database that never hold the write lock for CPU work.

SQLite allows one writer at a time. Every transaction begins *deferred*: reading
takes no lock (WAL mode), so hashing a password, resizing a photo or rendering a
page never makes another request wait. The lock is taken

* at a transaction's first write, for simple changes, or
* by ``begin_writing()``, for a change that must read under the lock what it is
  about to change (seats of an event, a waitlist position): it ends the read-only
  transaction and begins a new one ``IMMEDIATE``, queueing on ``busy_timeout``.

A deferred transaction whose snapshot went stale before its first write is refused
by SQLite at once ("database is locked"); ``retry_when_locked`` then runs the view
again, a bounded number of times, and answers 503 (not 500) if it never got through.
On PostgreSQL nothing here applies; writers lock rows with ``FOR UPDATE``.
"""

import functools
import random
import sqlite3
import time
from contextvars import ContextVar

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import ServiceUnavailable

from meetup.extensions import db

ATTEMPTS = 6
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)
_WRITES = ("insert", "update", "delete", "replace")


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """We issue BEGIN ourselves (the driver's isolation_level is None)."""
    if connection.dialect.name != "sqlite":
        return
    connection.info["wrote"] = False
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.dialect.name == "sqlite" and statement.lstrip()[:7].lower().startswith(
        _WRITES
    ):
        connection.info["wrote"] = True


def begin_writing() -> None:
    """From here on this transaction writes: on SQLite, take the write lock now.

    If the transaction has written nothing yet, it is ended (objects read so far
    are expired and reload under the lock) and a new one begins IMMEDIATE. If it
    has written already, it holds the lock since that write.
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return  # the flush takes the lock; a stale snapshot is retried
        if session.connection().info.get("wrote"):
            return
        session.commit()
    token = _begin_immediate.set(True)
    try:
        session.connection()
    finally:
        _begin_immediate.reset(token)


class Busy(ServiceUnavailable):
    show_description = True
    description = _l("Many people are saving changes right now. Nothing was changed: "
                     "please try again in a moment.")

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("Retry-After", "2")]


def is_locked(error: OperationalError) -> bool:
    original = getattr(error, "orig", None)
    return isinstance(original, sqlite3.OperationalError) and (
        "locked" in str(original) or "busy" in str(original)
    )


def retry_when_locked(view):
    """Run a view again when SQLite refused a stale or contended transaction."""

    @functools.wraps(view)
    def attempt(*args, **kwargs):
        for number in range(1, ATTEMPTS + 1):
            try:
                return view(*args, **kwargs)
            except OperationalError as error:
                db.session.rollback()
                if not is_locked(error):
                    raise
                if number == ATTEMPTS:
                    raise Busy() from error
                time.sleep(random.uniform(0.5, 1.0) * 0.01 * 2**number)
        raise AssertionError("unreachable")

    return attempt


def init_app(app: Flask) -> None:
    """Wrap every view (call after all blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = retry_when_locked(view)
