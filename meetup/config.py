"""Safe defaults. Secrets and site settings come from ``instance/config.py``
or the environment (``MEETUP_*`` / ``FLASK_*``), read in ``create_app``."""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

# Where a person, a club or an event is unless they say otherwise.
DEFAULT_TIMEZONE = "Europe/Berlin"

ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    SECRET_KEY = None  # required in production; never a fallback
    # The public address of this installation, e.g. "https://treffpunkt.example.org".
    # Links in mails and calendar UIDs are built from it, never from the request.
    SITE_URL = None
    SQLALCHEMY_DATABASE_URI = None  # SQLite in the instance folder unless set
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    LANGUAGES = ("de", "en")
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = DEFAULT_TIMEZONE

    SESSION_COOKIE_HTTPONLY = True
    # None: cookies only over https when SITE_URL is an https address.
    SESSION_COOKIE_SECURE = None
    REMEMBER_COOKIE_SECURE = None
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    LOG_LEVEL = "INFO"  # development mails are logged at INFO
    # "text" (for a person at a terminal) or "json" (one object a line, for a log
    # collector; `make serve` sets it). Every line carries the request's id.
    LOG_FORMAT = "text"
    # How many reverse proxies stand in front (nginx: 1). Only then are their
    # X-Forwarded-For and X-Forwarded-Proto headers believed; 0 ignores them.
    TRUSTED_PROXIES = 0

    MAX_CONTENT_LENGTH = 24 * 1024 * 1024  # a 20 MB phone photo and the rest of its form
    # Club logos and profile photos. Every process and host must see the same
    # folder (a shared volume or network file system); default: instance/uploads.
    UPLOAD_FOLDER = None
    LEGAL_FOLDER = None  # impressum.md, privacy.md (and .de.md/.en.md); default: instance/

    PASSWORD_MIN_LENGTH = 10
    VERIFY_EMAIL_MAX_AGE = 60 * 60 * 24 * 3  # seconds
    RESET_PASSWORD_MAX_AGE = 60 * 60  # seconds
    # Data protection: a deleted account can be restored this long, then the purge
    # (``flask accounts purge``) removes it for good; a mailed export link lives
    # EXPORT_LINK_MAX_AGE seconds; larger exports than EXPORT_DIRECT_MAX_ROWS rows
    # are prepared in the background (``flask privacy exports``, also a step of
    # ``notifications tick``) and kept as long as their link lives; a worker that has
    # not finished one after EXPORT_BUILD_TIMEOUT seconds is taken to have died.
    ACCOUNT_RESTORE_DAYS = 14
    EXPORT_LINK_MAX_AGE = 60 * 60 * 24 * 7
    EXPORT_DIRECT_MAX_ROWS = 5000
    EXPORT_BUILD_TIMEOUT = 30 * 60

    # Rate limits per client address (Flask-Limiter). In memory they count per
    # process: with several workers or hosts set REDIS_URL (e.g.
    # "redis://localhost:6379/0"), or any RATELIMIT_STORAGE_URI, to share them.
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = None  # default: REDIS_URL, else "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    RESET_RATE_LIMIT = "5 per minute; 20 per hour"
    # Generous enough for a club evening where many sign up over one network.
    SIGNUP_RATE_LIMIT = "10 per minute; 60 per hour"
    # Per account, in the database (every process and host): after this many
    # failed logins for one address within the window, logins for it pause for
    # a window and the owner gets one mail.
    ACCOUNT_LOGIN_LIMIT = 10
    ACCOUNT_LOGIN_WINDOW = timedelta(minutes=15)

    # Calendar feeds keep what they wrote, in each process (meetup/calendar/cache.py):
    # this many VEVENTs (about 1 KB each) and whole feeds by ETag; 0 keeps none.
    # With REDIS_URL, VEVENTs are shared through Redis too.
    CALENDAR_CACHE_EVENTS = 10000
    CALENDAR_CACHE_FEEDS = 64
    # Conditional feed requests answered 304 from memory while nothing a feed
    # shows has changed (meetup/calendar/unchanged.py): this many addresses, each
    # for at most this many seconds. 0 answers every request in the app.
    CALENDAR_CACHE_304 = 10000
    CALENDAR_304_SECONDS = 60
    # An event's attendees as one viewer sees them, with the people to meet
    # (meetup/people/roster.py): this many per process, each for at most this
    # many seconds; with REDIS_URL shared through Redis. 0 keeps none.
    ROSTER_CACHE_SIZE = 2000
    ROSTER_CACHE_SECONDS = 600
    # Signed-in event pages kept whole per viewer (meetup/events/kept.py), in each
    # process: this many, each for at most this many seconds. 0 keeps none.
    KEPT_PAGE_CACHE = 1000  # about 10 to 30 KB each
    KEPT_PAGE_SECONDS = 600
    # The event list for visitors without a session, kept likewise, at most this long.
    KEPT_LIST_SECONDS = 60
    # Rendered event cards of the event list (meetup/events/cards.py), per process.
    EVENT_CARD_CACHE = 5000

    # Mail: without MAIL_SERVER, mails are written to the log.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "Treffpunkt <noreply@treffpunkt.local>"

    # The mail outbox (meetup/notify). A mail is tried at most OUTBOX_MAX_ATTEMPTS
    # times; after a temporary failure it waits OUTBOX_RETRY_BASE seconds, twice as
    # long after each further one, at most OUTBOX_RETRY_MAX, less up to half by
    # chance (so senders spread out): eight attempts span two to four hours. A
    # sender holds the mails it took for at most OUTBOX_LEASE seconds; after that
    # (the sender died) another one takes them.
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_RETRY_BASE = 120
    OUTBOX_RETRY_MAX = 4 * 60 * 60
    OUTBOX_LEASE = 300
    OUTBOX_BATCH = 20  # mails taken per claim, sent over one connection
    # Mail people write to many (meetup/notify/announcements.py): announcements per
    # club and messages to organisers per sender, in any 24 hours.
    ANNOUNCEMENTS_PER_DAY = 5
    CONTACT_MESSAGES_PER_DAY = 5
    # An address the mail server refused for good this many times, with none
    # delivered since, is flagged on its account page.
    BOUNCES_TO_FLAG = 3
    OUTBOX_IDLE_SLEEP = 2.0  # seconds 'outbox work' waits when nothing is due

    # The audit trail of organiser actions is kept this many days; older entries
    # are deleted by 'flask --app meetup audit purge' (run it daily).
    AUDIT_RETENTION_DAYS = 365


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then the environment, then tests."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FLASK")
    app.config.from_prefixed_env("MEETUP")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    app.config["RATELIMIT_STORAGE_URI"] = ratelimit_storage_uri(app)
    app.logger.setLevel(app.config["LOG_LEVEL"])
    if not app.config.get("SECRET_KEY") and not (app.testing or app.debug):
        raise RuntimeError(
            "SECRET_KEY is not set. Put SECRET_KEY = '…' into instance/config.py "
            "or set MEETUP_SECRET_KEY (e.g. python -c 'import secrets; "
            "print(secrets.token_hex(32))'). 'make run' generates one for development."
        )
    if not app.config.get("SITE_URL"):
        if not (app.testing or app.debug):
            raise RuntimeError(
                "SITE_URL is not set. Put SITE_URL = 'https://…' into instance/config.py "
                "or set MEETUP_SITE_URL; links in mails are built from it."
            )
        app.config["SITE_URL"] = "http://localhost"
    secure_cookies(app)
    if not app.config.get("SECRET_KEY"):
        # Debug without a key: a key for this process only, never a shipped one.
        app.config["SECRET_KEY"] = os.urandom(32).hex()


def secure_cookies(app: Flask) -> None:
    """Unless set explicitly, cookies travel only over https when the site is https."""
    https = app.config["SITE_URL"].startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = https


def ratelimit_storage_uri(app: Flask) -> str:
    """Where Flask-Limiter counts: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory."""
    return (app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL")
            or "memory://")


def database_uri(app: Flask) -> str:
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return "sqlite:///" + str(Path(app.instance_path) / "meetup.db")
    # Accept the common "postgres://" and "postgresql://" spellings; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri.removeprefix(prefix)
    return uri
