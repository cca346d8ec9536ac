"""``row_digest(...)``: one short hash of many rows, computed by the database.

A feed's ETag covers every row it is written from. Fetching those rows to hash
them in Python costs a conditional request more than everything else it does;
the database hashes them in place and sends a few characters. The digest does
not depend on the order the rows arrive in, and is the same for the same rows
on every connection (times as seconds since 1970, never as text in a session's
zone). Different backends give different digests, which is fine: an ETag only
has to be stable for one installation. On PostgreSQL it sums 64-bit row hashes
(``hashtextextended``, stable across versions as hash partitioning needs it).
"""

import hashlib
import sqlite3

from sqlalchemy import DateTime, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQLITE_NAME = "treffpunkt_row_digest"


class row_digest(FunctionElement):  # noqa: N801 - used like a SQL function
    """An aggregate: the digest of its argument columns over all rows."""

    type = String()
    inherit_cache = True


def _pg_text(column, compiler, **kw) -> str:
    """Each value as text that cannot run into the next one: numbers and times
    hold no separator, free text goes with its length; NULL as an empty string."""
    sql = compiler.process(column, **kw)
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, DateTime):
        sql = f"extract(epoch from {sql})::text"
    elif isinstance(kind, String):
        sql = f"length({sql}) || ':' || {sql}"
    else:
        sql = f"({sql})::text"
    return f"coalesce({sql}, '')"


@compiles(row_digest, "postgresql")
def _postgresql(element, compiler, **kw) -> str:
    """Each row as its values joined by ':', hashed to 64 bits; the digest is the
    number of rows and the sum of their hashes (no sorting, and the order rows
    come in does not matter)."""
    row = "concat_ws(':', {})".format(
        ", ".join(_pg_text(column, compiler, **kw) for column in element.clauses))
    return f"(count(*) || ':' || sum(hashtextextended({row}, 0)))"


@compiles(row_digest, "sqlite")
def _sqlite(element, compiler, **kw) -> str:
    return f"{SQLITE_NAME}({compiler.process(element.clauses, **kw)})"


class _SQLiteDigest:
    """The same aggregate for SQLite, in Python (SQLite runs in our process anyway)."""

    def __init__(self):
        self.rows: list[str] = []

    def step(self, *values) -> None:
        self.rows.append(repr(values))

    def finalize(self) -> str | None:
        if not self.rows:
            return None  # as string_agg over no rows
        return hashlib.md5("\n".join(sorted(self.rows)).encode(), usedforsecurity=False
                           ).hexdigest()


@event.listens_for(Engine, "connect")
def _register_sqlite_digest(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_aggregate(SQLITE_NAME, -1, _SQLiteDigest)
