"""Event pages (and their attendee pages) kept whole per viewer, and the event list,
answered before the app runs while nothing the page shows has changed.

A member opening the page of a big evening again (or a hundred members opening
it at once) would otherwise load their account, their standing in the club and
the page around the kept attendee blocks on every request. The page is made
from a small set of rows, so:

- in front of the app, a ``GET /events/<id>`` (or ``…/attendees``, with its page
  and filters) with a signed-in session reads, in one statement on a connection
  of its own, a digest of every row the page is made from: the viewer's account
  (found by the session's token, so a logged-out session finds none), the event
  with its attendee-list version (``Event.roster_version``, raised by every
  change to its list), its club and series, and the viewer's memberships, bans,
  applications, answers and blocks;
- the page is kept under those digests, its address, the language, host and
  scheme, and answered from there while they are the same: with a fresh CSRF
  token for the session in place of the one it was rendered with, compressed
  for the client as the app would;
- otherwise the app renders it (uncompressed), and a page it answered 200
  without touching the session is kept, under the digests read *before* it ran:
  a change committed meanwhile can only make the kept page newer than its key.

A visitor without a session gets the event page kept the same way, under the
same digests (those of a viewer empty): one page for everyone, per language.

The event list (``GET /events/`` with its filters and page) is kept the same
way, under the feeds' generation counter (see ``_kept``): for visitors without
a session one page per language and filter; for a signed-in session also under
the digests of the viewer's own rows.

The page also changes with the clock (registration opens or closes, the
evening starts or ends), so a kept page lasts until the next of those moments,
and at most ``KEPT_PAGE_SECONDS``, like the attendee lists it shows
(``ROSTER_CACHE_SECONDS``). Pages of evenings that are over are not kept. A
session with messages to show, a remember-me cookie to set, or a fresh session
used from another browser goes to the app, which does what it always does.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale
from flask_compress.flask_compress import _choose_algorithm, _compress_data
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import aliased
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

from meetup.calendar.cache import LRU
from meetup.calendar.digest import row_digest
from meetup.database import ProcessEngine
from meetup.models import (
    RSVP,
    Application,
    Ban,
    Block,
    Event,
    EventSeries,
    Group,
    Membership,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
PAGE_PATH = re.compile(r"^/events/([1-9][0-9]{0,17})(?:/attendees)?$")
LONGEST_QUERY = 300  # filters and a page number; anything longer goes to the app
ENVIRON_KEY = "meetup.kept_page"
NO_ONE = ""  # the session token of no account (each has a random one)
PLACEHOLDER = b"\x00csrf\x00"  # never in a rendered page (NUL is refused in any input)
# Headers that belong to one answer, not to the page.
PER_ANSWER = frozenset({"date", "content-length", "content-encoding", "set-cookie",
                        "x-request-id"})
# Session keys after which Flask-Login or the page would change the session.
UNKEPT_SESSION_KEYS = ("_flashes", "_remember", "_permanent")


@dataclass(frozen=True)
class Kept:
    until: float  # time.time() after which the page may say something else
    headers: tuple[tuple[str, str], ...]
    body: bytes  # with PLACEHOLDER where the CSRF token goes


def fingerprint_statement():
    """One row of digests of everything the page is made from (see the module)."""
    token, event_id = bindparam("token"), bindparam("event_id")
    user, event, sibling = User.__table__, Event.__table__, aliased(Event.__table__)
    viewer = select(user.c.id).where(user.c.session_token == token).scalar_subquery()
    group = select(event.c.group_id).where(event.c.id == event_id).scalar_subquery()
    series = select(event.c.series_id).where(event.c.id == event_id).scalar_subquery()
    parts = [
        select(user.c.id).where(user.c.session_token == token),
        select(user.c.locale).where(user.c.session_token == token),
        select(row_digest(*user.c)).where(user.c.session_token == token),
        select(row_digest(*event.c)).where(event.c.id == event_id),
        select(row_digest(*Group.__table__.c)).where(Group.id == group),
        select(row_digest(*EventSeries.__table__.c)).where(EventSeries.id == series),
        # The series' dates as its summary counts them (not their attendee lists).
        select(row_digest(sibling.c.id, sibling.c.group_id, sibling.c.status,
                          sibling.c.visibility, sibling.c.starts_at))
        .where(sibling.c.series_id == series),
        select(row_digest(*Membership.__table__.c)).where(Membership.user_id == viewer),
        select(row_digest(*Ban.__table__.c)).where(Ban.user_id == viewer),
        select(row_digest(*Application.__table__.c)).where(Application.user_id == viewer),
        # Their answers elsewhere decide whose profiles they see (sharing an
        # evening); their answer here is in the event's attendee-list version.
        select(row_digest(RSVP.event_id, RSVP.status)).where(RSVP.user_id == viewer),
        select(row_digest(*Block.__table__.c)).where(
            or_(Block.blocker_id == viewer, Block.blocked_id == viewer)),
    ]
    return select(*(part.scalar_subquery() for part in parts))


class Fingerprints:
    """The statement, on an engine of this process's own (no ping, autocommit):
    one round trip, no ORM, no session."""

    def __init__(self, app: Flask):
        self.own = ProcessEngine(app)
        self.sql = None

    def _compile(self) -> None:
        compiled = fingerprint_statement().compile(dialect=self.own.get().dialect)
        self.names = compiled.positiontup  # None for named parameters
        # The statement's own values (a role), as plain values for the driver.
        self.fixed = {name: str(value) if isinstance(value, str) else value
                      for name, value in compiled.params.items()
                      if name not in ("token", "event_id")}
        self.sql = compiled.string

    def read(self, token: str, event_id: int, viewer: bool = True) -> tuple | None:
        """The digests, or None when there is no database to ask or (with
        ``viewer``) no account with this session token."""
        try:
            if self.sql is None:
                self._compile()
            values = {**self.fixed, "token": token, "event_id": event_id}
            row = self.own.one_row(self.sql, values if self.names is None
                                   else [values[name] for name in self.names])
        except Exception as error:  # noqa: BLE001 - the app answers instead
            log.warning("Event page fingerprint not readable: %r", error)
            self.own.dispose()
            return None
        return None if row is None or (viewer and row[0] is None) else row


def identifier(environ: dict) -> str:
    """Flask-Login's session identifier (``_create_identifier``) for this request:
    a fresh session started in another browser or from another address is one
    Flask-Login marks as not fresh (a new cookie), so the app answers it."""
    agent = environ.get("HTTP_USER_AGENT")
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    base = f"{address}|{agent.encode('utf-8') if agent is not None else None}"
    return hashlib.sha512(base.encode("utf8")).hexdigest()


class KeptPages:
    """WSGI middleware in front of the app for signed-in event pages."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app
        self.kept = LRU(app.config["KEPT_PAGE_CACHE"])
        self.fingerprints = app.extensions["kept_page_fingerprints"]
        self.sessions = app.session_interface.get_signing_serializer(app)
        self.max_age = int(app.permanent_session_lifetime.total_seconds())
        self.cookie = app.config["SESSION_COOKIE_NAME"]
        self.csrf = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY")
                                           or app.secret_key, salt="wtf-csrf-token")
        self.languages = app.config["LANGUAGES"]
        self.default_language = app.config["BABEL_DEFAULT_LOCALE"]

    def __call__(self, environ, start_response):
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        if (self.kept.size <= 0 or environ.get("REQUEST_METHOD") != "GET"
                or len(query) > LONGEST_QUERY):
            return self.wsgi_app(environ, start_response)
        if path == "/events/":
            event_id = None
        elif match := PAGE_PATH.match(path):
            event_id = int(match.group(1))
        else:
            return self.wsgi_app(environ, start_response)
        session = None
        if parse_cookie(environ).get(self.cookie):
            session = self._session(environ)
            if not session:
                return self.wsgi_app(environ, start_response)
        return self._kept(environ, start_response, event_id, session)

    def _kept(self, environ, start_response, event_id: int | None, session: dict | None):
        """The page kept under the digests of the rows it is made from, its address,
        language, host and scheme; with the session's own CSRF token.

        - An event page (or attendee page): the event, its club and series, and a
          signed-in viewer's rows. A visitor without a session reads them for no
          one (the viewer's digests empty): one page for everyone, per language.
        - The event list (``event_id`` None): the feeds' generation counter, which
          every commit that writes events, clubs or answers raises, and a signed-in
          viewer's rows (the fingerprint of no event: their account, whose name
          and time zone the page shows, and their memberships, which decide the
          members-only events and clubs on it).

        No database to ask, or a session token of no account (logged out): the app
        answers."""
        digests = generation = None
        if event_id is not None or session is not None:
            digests = self.fingerprints.read(
                session["_user_id"] if session else NO_ONE, event_id or 0,  # ids start at 1
                viewer=session is not None)
            if digests is None:
                return self.wsgi_app(environ, start_response)
        if event_id is None:
            generation = self.app.extensions["feed_generation"].read()
            if generation is None:
                return self.wsgi_app(environ, start_response)
        language = self._language(environ, digests[1] if digests else None, session or {})
        key = hashlib.sha256(repr((
            environ.get("PATH_INFO"), environ.get("QUERY_STRING"), generation, digests,
            language, environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"),
        )).encode()).digest()
        found = self.kept.get(key)
        if found is not None and time.time() < found.until:
            body = found.body if session is None else found.body.replace(
                PLACEHOLDER, self._token(session))
            return self._answer(environ, start_response, found.headers, body)
        return self._render(environ, start_response, key, language)

    def _session(self, environ) -> dict | None:
        """The signed-in session, when the app would neither change nor refuse it."""
        value = parse_cookie(environ).get(self.cookie)
        if not value:
            return None
        try:
            session = self.sessions.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        if (not isinstance(session, dict) or not isinstance(session.get("_user_id"), str)
                or not isinstance(session.get("csrf_token"), str)
                or any(name in session for name in UNKEPT_SESSION_KEYS)
                or (session.get("_id") != identifier(environ)
                    and session.get("_fresh") is not False)):
            return None
        return session

    def _language(self, environ, locale: str | None, session: dict) -> str:
        """As ``i18n.select_locale``: the account's setting, the session's choice,
        the browser's, German."""
        if locale in self.languages:
            return locale
        if session.get("locale") in self.languages:
            return session["locale"]
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return accepted.best_match(self.languages) or self.default_language

    def _token(self, session: dict) -> bytes:
        """A CSRF token for this session, as Flask-WTF's ``generate_csrf`` signs it."""
        return self.csrf.dumps(session["csrf_token"]).encode()

    def _render(self, environ, start_response, key: bytes, language: str):
        """The app's answer, uncompressed (compressed here for the client); kept when
        it is the page as anyone with this fingerprint would get it."""
        environ[ENVIRON_KEY] = {}
        encoding = environ.pop("HTTP_ACCEPT_ENCODING", None)
        answer = {}

        def capture(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return lambda data: chunks.append(data)

        chunks = []
        iterable = self.wsgi_app(environ, capture)
        try:
            chunks.extend(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        if encoding is not None:
            environ["HTTP_ACCEPT_ENCODING"] = encoding
        body, status, headers = b"".join(chunks), answer["status"], answer["headers"]
        noted = environ.pop(ENVIRON_KEY)
        if status.startswith("200") and self._keepable(headers, noted, language, body):
            token = noted.get("csrf")
            self.kept.put(key, Kept(noted["until"], tuple(
                (name, value) for name, value in headers if name.lower() not in PER_ANSWER),
                body.replace(token.encode(), PLACEHOLDER) if token else body))
        if not status.startswith("200") or any(
                name.lower() == "content-encoding" for name, _value in headers):
            start_response(status, headers)
            return [body]
        return self._answer(environ, start_response, [
            (name, value) for name, value in headers if name.lower() != "content-length"],
            body, status)

    @staticmethod
    def _keepable(headers, noted: dict, language: str, body: bytes) -> bool:
        token = noted.get("csrf")
        signed_in = not noted.get("anonymous")
        return (noted.get("until") is not None and noted.get("language") == language
                and (token is not None) == signed_in
                and (token is None or token.encode() in body) and PLACEHOLDER not in body
                and not any(name.lower() in ("set-cookie", "content-encoding")
                            for name, _value in headers))

    def _answer(self, environ, start_response, headers, body: bytes, status="200 OK"):
        headers = list(headers)
        algorithm = None
        if len(body) >= self.app.config["COMPRESS_MIN_SIZE"]:
            algorithm = _choose_algorithm(tuple(self.app.config["COMPRESS_ALGORITHM"]),
                                          environ.get("HTTP_ACCEPT_ENCODING", ""))
        if algorithm is not None:
            body = _compress_data(self.app, body, algorithm)
            headers.append(("Content-Encoding", algorithm))
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]


def offer(event: Event, signed_in: bool) -> None:
    """Called by the event page's and attendee page's views: this answer may be
    kept, until the next moment the page changes by the clock alone."""
    # After the evening its list no longer counts up (see ``listing.bump``), while
    # check-ins may still change what the page says: such a page is not kept.
    if event.ends_at > utcnow():
        _offer([event], "KEPT_PAGE_SECONDS", signed_in)


def offer_list(events, signed_in: bool) -> None:
    """Called by the event list's view: kept until the next moment a card on it
    changes by the clock, and at most ``KEPT_LIST_SECONDS`` (an event that ends
    moves the later pages up)."""
    _offer(events, "KEPT_LIST_SECONDS", signed_in)


def _offer(events, longest: str, signed_in: bool) -> None:
    """Note for ``KeptPages`` how long this answer may be kept: until the next
    moment one of ``events`` changes by the clock (registration opens or closes,
    the evening starts or ends), at most the setting ``longest`` in seconds."""
    noted = request.environ.get(ENVIRON_KEY)
    if noted is None:
        return
    now = utcnow()
    moments = [moment for event in events for moment in (
        event.rsvp_opens_at, event.rsvp_deadline(), event.starts_at, event.ends_at)]
    last = now + timedelta(seconds=current_app.config[longest])
    soonest = min([moment for moment in moments if moment and moment > now] + [last])
    noted["until"] = time.time() + max((soonest - now).total_seconds(), 0)
    noted["anonymous"] = not signed_in
    g.kept_page_offered = True


def _note(response: Response) -> Response:
    """After the page is rendered: the token it carries and its language."""
    noted = request.environ.get(ENVIRON_KEY)
    if noted is not None and g.get("kept_page_offered"):
        noted["csrf"] = g.get("csrf_token")
        noted["language"] = str(get_locale())
    return response


def init_app(app: Flask) -> None:
    """Innermost, around Flask itself: behind ``ProxyFix`` (address and scheme are
    the client's) and inside the request log (a kept answer is logged too)."""
    app.extensions["kept_page_fingerprints"] = Fingerprints(app)
    app.after_request(_note)
    app.wsgi_app = KeptPages(app.wsgi_app, app)
