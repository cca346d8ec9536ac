"""Plain helpers for tests: the app's configuration, forms as a browser sends them,
logging in through the real form, and where a response redirects to."""

import functools
import re
import sqlite3
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from sqlalchemy import event
from werkzeug.security import generate_password_hash

from meetup import create_app
from meetup.extensions import db
from meetup.models import User

PASSWORD = "correct horse battery"


@functools.cache
def default_password_hash() -> str:
    """The scrypt hash of PASSWORD, computed once: saves ~0.1 s per account."""
    return generate_password_hash(PASSWORD, method="scrypt")


# --- the app ----------------------------------------------------------------------

def base_config(database_uri: str, smtp_port: int) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SITE_URL": "http://localhost",  # whatever the environment says (make exports one)
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "WTF_CSRF_ENABLED": True,
    }


def make_app(database_uri: str, smtp_port: int, **overrides) -> Flask:
    return create_app({**base_config(database_uri, smtp_port), **overrides})


@contextmanager
def statements_of(app: Flask):
    """The SQL statements ``app`` runs on its engine while the block is open."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def disposing(app: Flask):
    """An app context whose engine is disposed afterwards (no unclosed connections)."""
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


# --- forms and logging in ---------------------------------------------------------

def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST a form the way a browser does: take the CSRF token from the page."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **data}, **kwargs)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no hidden field {name!r} on the page"
    return match.group(1)


def create_series(client, url: str, data: dict):
    """Create a series as a person does: send the form, see the preview of the
    dates (200, nothing saved yet), confirm. Returns (preview page, response)."""
    preview = submit(client, url, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="series-preview"' in html, html[:3000]
    confirmed = client.post(url, data={**data, "csrf_token": csrf_token(html),
                                       "confirm": hidden_value(html, "confirm")})
    return html, confirmed


def log_in(client, email: str, password: str = PASSWORD, **fields):
    """Log in through the real form: GET it, read its CSRF token, POST.
    ``fields`` are further form fields (``remember``, ``next``)."""
    return submit(client, "/auth/login", {"email": email, "password": password, **fields})


def get_user(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email.lower()))
        if user is not None:
            db.session.expunge(user)
        return user


# --- redirects --------------------------------------------------------------------

def redirects_to(response, path: str) -> str:
    """Assert that ``response`` redirects (any 3xx) to ``path``; return the Location.

    Compares the path, the query (parameters in any order, percent-decoded) and the
    fragment: ``"/groups/x"`` does not match ``"/groups/x?page=2"``. A ``path``
    without a host only matches a Location on this site."""
    location = response.headers.get("Location")
    status = response.status_code
    assert 300 <= status < 400 and location, (
        f"expected a redirect to {path!r}, got {status} (Location: {location!r}){_body(response)}")
    want, got = urlsplit(path), urlsplit(location)
    assert (got.scheme, got.netloc, got.path, _query(got.query), got.fragment) == (
        want.scheme, want.netloc, want.path, _query(want.query), want.fragment), (
        f"redirects to {location!r}, expected {path!r}")
    return location


def _query(query: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(query, keep_blank_values=True))


def _body(response) -> str:
    get_data = getattr(response, "get_data", None)
    return f"\n{get_data(as_text=True)[:2000]}" if get_data else ""


def another_writer_can_start(path: str) -> bool:
    """Can a second connection take SQLite's write lock right now (no waiting)?"""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
