"""Conditional feed requests answered before the app runs, while nothing changed.

Calendar apps ask for every feed every hour or so, nearly always getting a 304.
A 304 needs only to know that the feed's ETag is still the one the app has. So:

- every commit that wrote a row a feed may be made from (anything but the rows
  in ``UNRELATED``) raises one counter, ``FeedGeneration``, after the commit;
- a conditional request for a feed reads that counter (one primary-key read,
  on a connection of its own kept without a ping: a failure just sends the
  request on) and, when the app already answered this address 304 under the
  same counter, sends that same 304 again, without Flask, session or query;
- otherwise the request goes to the app as ever; a 304 it sends is kept under
  the counter read *before* it ran, so a change committed meanwhile can only
  make the kept answer newer, never older.

A kept answer also expires after ``CALENDAR_304_SECONDS``: feeds hold a moving
window of dates (an event leaves it 90 days after its start without any write),
and a process that died between a commit and raising the counter is forgotten.
"""

import hashlib
import logging
import re
import time

from flask import Flask, has_app_context
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from meetup.calendar.cache import LRU
from meetup.database import ProcessEngine

log = logging.getLogger(__name__)
FEED_PATH = re.compile(r"^/(groups/[^/]+/calendar|calendar/[^/]+)\.ics$")
READ = "SELECT value FROM feed_generation WHERE id = 1"
RAISE = "UPDATE feed_generation SET value = value + 1 WHERE id = 1"
# Tables no feed is made from: writing them leaves every feed as it was. (Contacts are
# not among them: the personal feed can carry the contacts' birthdays.)
UNRELATED = frozenset({"outbox_message", "outbox_attempt", "login_throttle", "meeting_mark",
                       "application", "invitation", "feed_generation"})
PER_REQUEST = frozenset({"date", "x-request-id", "set-cookie", "server"})
FLAG = "feeds_changed"


class Generation:
    """The counter, on an engine of this process's own (no ping, autocommit)."""

    def __init__(self, app: Flask):
        self.own = ProcessEngine(app)

    def read(self) -> int | None:
        try:
            row = self.own.one_row(READ)
        except Exception as error:  # noqa: BLE001 - the app answers instead
            log.warning("Feed generation not readable: %r", error)
            self.own.dispose()
            return None
        return None if row is None else row[0]

    def raise_(self) -> None:
        try:
            with self.own.get().connect() as connection:
                connection.execute(text(RAISE))
        except Exception as error:  # noqa: BLE001 - kept answers expire all the same
            log.warning("Feed generation not raised: %r", error)
            self.own.dispose()


class Unchanged:
    """WSGI middleware in front of the app for conditional feed requests."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.generation = app.extensions["feed_generation"]
        self.kept = LRU(app.config["CALENDAR_CACHE_304"])
        self.seconds = app.config["CALENDAR_304_SECONDS"]

    def __call__(self, environ, start_response):
        asked = environ.get("HTTP_IF_NONE_MATCH")
        path = environ.get("PATH_INFO", "")
        if (not asked or environ.get("REQUEST_METHOD") != "GET" or self.kept.size <= 0
                or not FEED_PATH.match(path)):
            return self.wsgi_app(environ, start_response)
        key = hashlib.sha256(f"{path}?{environ.get('QUERY_STRING', '')}".encode()).digest()
        generation = self.generation.read()
        if generation is None:
            return self.wsgi_app(environ, start_response)
        found = self.kept.get(key)
        if found is not None and found[0] == generation and found[1] > time.monotonic() \
                and found[2] in {tag.strip().removeprefix("W/") for tag in asked.split(",")}:
            start_response("304 NOT MODIFIED", list(found[3]))
            return []
        return self.wsgi_app(environ, self._keeping(start_response, key, generation))

    def _keeping(self, start_response, key: bytes, generation: int):
        def keep(status: str, headers: list, exc_info=None):
            if status.startswith("304"):
                etag = next((value for name, value in headers if name.lower() == "etag"), None)
                if etag and not any(name.lower() == "set-cookie" for name, _ in headers):
                    self.kept.put(key, (generation, time.monotonic() + self.seconds, etag,
                                        tuple((name, value) for name, value in headers
                                              if name.lower() not in PER_REQUEST)))
            return start_response(status, headers, exc_info)
        return keep


# --- raising the counter after each commit that may change a feed -------------------

def _touches_feeds(session: Session) -> bool:
    return any(getattr(obj, "__tablename__", None) not in UNRELATED
               for obj in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context) -> None:
    if _touches_feeds(session):
        session.info[FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    if not state.is_select:  # an UPDATE or DELETE of many rows at once
        table = getattr(state.bind_mapper, "local_table", None)
        if table is None or table.name not in UNRELATED:
            state.session.info[FLAG] = True


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    """Once the outermost transaction is over (not a savepoint), the rows are
    committed: raise the counter. After a rollback that wrote feed rows it is
    raised too; that costs one answer from the app per feed, nothing more."""
    if transaction.parent is None and session.info.pop(FLAG, False) and has_app_context():
        generation = _current_generation()
        if generation is not None:
            generation.raise_()


def _current_generation() -> Generation | None:
    from flask import current_app

    return current_app.extensions.get("feed_generation")


def init_app(app: Flask) -> None:
    app.extensions["feed_generation"] = Generation(app)
    app.wsgi_app = Unchanged(app.wsgi_app, app)
