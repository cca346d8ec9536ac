"""Fixtures: every database test runs on SQLite and on a throwaway PostgreSQL."""

import functools
import itertools
import re
import shutil
from contextlib import contextmanager

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event
from werkzeug.security import generate_password_hash

from meetup import create_app
from meetup.auth import services
from meetup.extensions import db
from meetup.models import User, normalise_email, utcnow
from tests.mailbox import start_smtp
from tests.pg import PostgresServer, find_bindir, free_port

PASSWORD = "correct horse battery"


@functools.cache
def _default_password_hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")

_database_numbers = itertools.count()


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
def disposing(app: Flask):
    """An app context whose engine is disposed afterwards (no unclosed connections)."""
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


# --- servers started once per run -------------------------------------------------

@pytest.fixture(scope="session")
def smtp():
    controller, mailbox = start_smtp(free_port())
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp):
    smtp[1].clear()
    return smtp[1]


@pytest.fixture(scope="session")
def postgres_server():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    server = PostgresServer(bindir)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start means: skip, and CI fails
        shutil.rmtree(server.base, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory, smtp):
    """One migrated database per backend; each test gets a copy."""
    return {}


def _template(backend: str, request, tmp_path_factory, smtp, templates: dict) -> str:
    if backend in templates:
        return templates[backend]
    port = smtp[0].port
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "template.db"
        uri = f"sqlite:///{path}"
        templates[backend] = str(path)
    else:
        server = request.getfixturevalue("postgres_server")
        server.execute("CREATE DATABASE meetup_template")
        uri = server.url("meetup_template")
        templates[backend] = "meetup_template"
    with disposing(make_app(uri, port)):
        upgrade()
    return templates[backend]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_uri(request, tmp_path, tmp_path_factory, smtp, migrated_templates):
    backend = request.param
    template = _template(backend, request, tmp_path_factory, smtp, migrated_templates)
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"meetup_test_{next(_database_numbers)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield server.url(name)
    server.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def app(database_uri, smtp):
    app = make_app(database_uri, smtp[0].port)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# --- helpers ----------------------------------------------------------------------

@pytest.fixture
def make_user(app):
    """Factory: create a verified (or not) account and return its id and email."""

    def make(email="mara@example.com", name="Mara Beispiel", password=PASSWORD,
             verified=True, locale=None):
        with app.app_context():
            if password == PASSWORD:
                # The scrypt hash computed once; saves ~0.1 s per account.
                user = User(email=normalise_email(email), name=name, locale=locale,
                            password_hash=_default_password_hash())
                db.session.add(user)
            else:
                user = services.create_user(email, name, password, locale=locale)
            if verified:
                user.email_verified_at = utcnow()
            db.session.commit()
            return user.id, user.email

    return make


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST a form the way a browser does: take the CSRF token from the page."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **data}, **kwargs)


def login(client, email="mara@example.com", password=PASSWORD, **extra):
    """Log in through the real form."""
    return submit(client, "/auth/login", {"email": email, "password": password, **extra})


def get_user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email.lower()))
        if user is not None:
            db.session.expunge(user)
        return user


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run while the returned context manager is open."""

    @contextmanager
    def counter():
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

    return counter


@pytest.fixture
def demo_app(app, tmp_path) -> Flask:
    """The app with the demo clubs, members and events of ``seed-demo``."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def make_group(app):
    """Factory: a group owned by ``owner_id``; returns its slug."""
    from meetup.groups import services as group_services
    from meetup.models import JoinPolicy, Visibility

    def make(owner_id, name="Unternehmerclub Münster", visibility="public", join_policy="open",
             city="Münster"):
        with app.app_context():
            owner = db.session.get(User, owner_id)
            group = group_services.create_group(
                owner, slug=group_services.slugify(name), name=name, city=city,
                visibility=Visibility(visibility), join_policy=JoinPolicy(join_policy))
            db.session.commit()
            return group.slug

    return make


@pytest.fixture
def add_member(app):
    """Factory: put a user into a group with a role; returns the membership id."""
    from meetup.models import Group, Membership, Role

    def add(slug, user_id, role="member", title=""):
        with app.app_context():
            group = db.session.scalar(db.select(Group).filter_by(slug=slug))
            membership = Membership(group_id=group.id, user_id=user_id, role=Role(role),
                                    title=title)
            db.session.add(membership)
            db.session.commit()
            return membership.id

    return add


@pytest.fixture
def make_event(app):
    """Factory: a published event of a group, starting in ``days`` at 19:00 Berlin."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from meetup.models import Event, EventVisibility, Group

    def make(slug, title="Stammtisch", days=7, capacity=None, guests_allowed=0,
             visibility="public", **values):
        berlin = ZoneInfo("Europe/Berlin")
        with app.app_context():
            group = db.session.scalar(db.select(Group).filter_by(slug=slug))
            day = datetime.now(berlin).date() + timedelta(days=days)
            start = datetime.combine(day, time(19), berlin)
            event = Event(group_id=group.id, title=title, starts_at=start,
                          ends_at=start + timedelta(hours=3), timezone="Europe/Berlin",
                          venue_name="Rathaus", capacity=capacity,
                          guests_allowed=guests_allowed,
                          visibility=EventVisibility(visibility), **values)
            db.session.add(event)
            db.session.commit()
            return event.id

    return make


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server for the run; skips when Redis is not installed."""
    from tests.redis_server import RedisServer, find_redis_server

    executable = find_redis_server()
    if executable is None:
        pytest.skip("redis-server not found (apt-get install redis-server)")
    server = RedisServer(executable)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start means: skip
        server.stop()
        pytest.skip(f"could not start redis-server: {exc}")
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The URL of an empty Redis database."""
    redis_server.flush()
    return redis_server.url
