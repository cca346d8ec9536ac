"""Fixtures: every database test runs on SQLite and on a throwaway PostgreSQL."""

import itertools
import shutil

import pytest
from flask import Flask
from flask_migrate import upgrade

from meetup.extensions import db
from meetup.notify.sender import send_pending
from tests.helpers import disposing, make_app, statements_of
from tests.mailbox import start_smtp
from tests.pg import PostgresServer, find_bindir, free_port

# Factories (make_user, make_group, add_member, club, make_event) are fixtures too.
pytest_plugins = ["tests.factories"]

_database_numbers = itertools.count()


# --- servers started once per run -------------------------------------------------

@pytest.fixture(scope="session")
def smtp():
    controller, mailbox = start_smtp(free_port())
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(request, smtp):
    """The SMTP server's mailbox, emptied. In tests marked ``deliver_outbox`` it
    first delivers what the outbox holds whenever the test looks at it."""
    mailbox = smtp[1]
    mailbox.clear()
    if request.node.get_closest_marker("deliver_outbox"):
        app = request.getfixturevalue("app")

        def pump():
            with app.app_context():
                send_pending()

        mailbox.pump = pump
    yield mailbox
    mailbox.pump = None


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


@pytest.fixture
def sqlite_uri(request, tmp_path, tmp_path_factory, smtp, migrated_templates):
    """A fresh copy of the migrated SQLite database."""
    template = _template("sqlite", request, tmp_path_factory, smtp, migrated_templates)
    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_uri(request, tmp_path_factory, smtp, migrated_templates):
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_uri")
        return
    template = _template("postgresql", request, tmp_path_factory, smtp, migrated_templates)
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
def count_queries(app):
    """Counts SQL statements run while the returned context manager is open."""
    return lambda: statements_of(app)


@pytest.fixture
def sqlite_file(request, tmp_path, tmp_path_factory, smtp, migrated_templates):
    """A migrated SQLite database file that other processes can open."""
    template = _template("sqlite", request, tmp_path_factory, smtp, migrated_templates)
    path = tmp_path / "worker.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_app(app, tmp_path) -> Flask:
    """The app with the demo clubs, members and events of ``seed-demo``."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


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
