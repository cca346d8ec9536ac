"""The database layer: this app's engine settings and the one transaction boundary.

Every change runs inside ``with transaction():`` — one commit if the block
ends, one rollback if anything in it raises (a ``RuleError`` refusing the
change, or any other error). Services flush and never commit. Work that may only
happen once the change is stored (a mail sent by SMTP) is queued with
``after_commit`` and runs after a successful commit, never after a rollback.

SQLite allows one writer at a time. Reading takes no lock (WAL mode, deferred
transactions), so hashing a password, resizing a photo or rendering a page never
makes another request wait. A ``transaction()`` begins ``IMMEDIATE``: it takes
the write lock at its start, queueing on ``busy_timeout``, so what it reads is
what it changes (seats of an event, a waitlist position) with no stale snapshot.
Do CPU work before entering it. If the lock cannot be had, ``retry_when_locked``
runs the view again a bounded number of times and then answers 503, never 500.
On PostgreSQL writers lock rows with ``FOR UPDATE``; nothing SQLite-specific applies.
"""

import functools
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

from meetup.extensions import db

ATTEMPTS = 6
# Values per ``IN (…)``: PostgreSQL takes at most 65,535 parameters a statement.
IN_LIST_SIZE = 10_000
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)
_WRITES = ("insert", "update", "delete", "replace")
_QUEUE = "after_commit"  # key in Session.info: callbacks of the open transaction()


def in_slices(values) -> Iterator[list]:
    """``values`` in lists short enough for one ``IN (…)`` on every database: a
    statement per ``IN_LIST_SIZE`` values, so one for any ordinary list."""
    values = list(values)
    for start in range(0, len(values), IN_LIST_SIZE):
        yield values[start:start + IN_LIST_SIZE]


@contextmanager
def transaction() -> Iterator[Session]:
    """Run one change: commit it whole, or roll it back whole and re-raise.

    A ``transaction()`` inside another is part of the outer one.
    """
    session = db.session()
    if _QUEUE in session.info:
        yield session
        return
    begin_writing()
    session.info[_QUEUE] = []
    try:
        yield session
        session.commit()
    except BaseException:
        session.info.pop(_QUEUE, None)
        session.rollback()
        raise
    for callback in session.info.pop(_QUEUE):
        callback()


def end_reading() -> None:
    """End a transaction that only read (before CPU work such as checking a
    password); objects read so far reload when next used."""
    db.session.rollback()


def after_commit(callback: Callable[..., object], *args, **kwargs) -> None:
    """Run ``callback(*args, **kwargs)`` once the open ``transaction()`` committed."""
    queue = db.session().info.get(_QUEUE)
    if queue is None:
        raise RuntimeError("after_commit() needs an open transaction()")
    queue.append(functools.partial(callback, *args, **kwargs))


def begin_writing() -> None:
    """From here on this transaction writes: on SQLite, take the write lock now.

    If the transaction has written nothing yet, it is ended (objects read so far
    are expired and reload under the lock) and a new one begins IMMEDIATE. If it
    holds the lock already (it began IMMEDIATE, or it has written), nothing happens.
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return  # the flush takes the lock; a stale snapshot is retried
        info = session.connection().info
        if info.get("wrote") or info.get("immediate"):
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


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys, wait for locks instead of failing, and let us issue
    BEGIN ourselves (the driver's isolation_level is None)."""
    dbapi_connection.isolation_level = None
    # SQLite's lower() folds ASCII only; searches must match PostgreSQL's.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    immediate = _begin_immediate.get()
    connection.info["wrote"] = False
    connection.info["immediate"] = immediate
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if statement.lstrip()[:7].lower().startswith(_WRITES):
        connection.info["wrote"] = True


class ProcessEngine:
    """An engine of this process's own beside the app's, for one small statement
    before the app runs: autocommit, no ping, no reset on return. A forked worker
    makes its own; disposed together with the app's engine."""

    def __init__(self, app: Flask):
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.engine: Engine | None = None
        self.pid: int | None = None
        self.lock = threading.Lock()  # `flask run` serves requests in threads
        with app.app_context():
            event.listen(db.engine, "engine_disposed", lambda engine: self.dispose())

    def get(self) -> Engine:
        with self.lock:
            if self.engine is None or self.pid != os.getpid():
                sqlite = self.url.startswith("sqlite")
                self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT",
                                            pool_reset_on_return=None,
                                            connect_args={"timeout": 10} if sqlite else {})
                self.pid = os.getpid()
            return self.engine

    def one_row(self, sql: str, parameters=()) -> tuple | None:
        """The first row of one statement, on a connection straight from the pool."""
        connection = self.get().raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
        return None if row is None else tuple(row)

    def dispose(self) -> None:
        with self.lock:
            if self.engine is not None:
                self.engine.dispose()
            self.engine = None


def init_app(app: Flask) -> None:
    """SQLite settings on this app's engines (call right after ``db.init_app``)."""
    with app.app_context():
        engines: list[Engine] = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name != "sqlite":
            continue
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _note_writes)


def retry_views(app: Flask) -> None:
    """Wrap every view in ``retry_when_locked`` (call after all blueprints)."""
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = retry_when_locked(view)
