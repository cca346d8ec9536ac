"""SQLite's write lock is held only while writing, and contention never answers 500."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from meetup import database
from meetup.auth import services as auth_services
from meetup.auth import views as auth_views
from meetup.extensions import db
from meetup.models import User
from tests.helpers import PASSWORD, another_writer_can_start, log_in, redirects_to, submit

only_sqlite = pytest.mark.parametrize("database_uri", ["sqlite"], indirect=True)


@pytest.fixture
def sqlite_path(app, database_uri):
    """SQLite's database-wide write lock (PostgreSQL locks rows instead)."""
    return database_uri.removeprefix("sqlite:///")


def probe_during(monkeypatch, path: str, owner, name: str) -> list[bool]:
    """Replace ``owner.<name>`` with a wrapper that records, while it runs, whether
    another process could write (password hashing is slow CPU work)."""
    seen = []
    original = getattr(owner, name)

    def wrapper(*args):
        seen.append(another_writer_can_start(path))
        return original(*args)

    monkeypatch.setattr(owner, name, wrapper)
    return seen


@only_sqlite
def test_checking_a_password_holds_no_write_lock(app, client, make_user, sqlite_path,
                                                 monkeypatch):
    make_user()
    seen = probe_during(monkeypatch, sqlite_path, auth_services, "check_password_hash")
    redirects_to(log_in(client, "mara@example.com"), "/")
    assert seen == [True]


@only_sqlite
def test_hashing_a_new_password_holds_no_write_lock(app, client, sqlite_path, monkeypatch):
    seen = probe_during(monkeypatch, sqlite_path, auth_views, "hash_password")
    response = submit(client, "/auth/signup", {
        "email": "neu@example.com", "name": "Nina Neu", "password": PASSWORD,
        "password_confirm": PASSWORD, "accept": "y"})
    redirects_to(response, "/auth/signup/sent")
    assert seen == [True]


@only_sqlite
def test_begin_writing_takes_the_lock_and_rereads(app, make_user, sqlite_path):
    user_id, _ = make_user()
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.name == "Mara Beispiel"
        assert another_writer_can_start(sqlite_path)  # reading locks nothing
        other = sqlite3.connect(sqlite_path, isolation_level=None)
        other.execute("UPDATE user SET name = 'Mara Neu' WHERE id = ?", (user_id,))
        other.close()
        database.begin_writing()
        assert not another_writer_can_start(sqlite_path)
        assert user.name == "Mara Neu"  # read again, under the lock
        db.session.rollback()
        assert another_writer_can_start(sqlite_path)


def locked(message: str = "database is locked") -> OperationalError:
    return OperationalError("UPDATE …", {}, sqlite3.OperationalError(message))


def test_a_refused_transaction_is_tried_again(app, monkeypatch):
    monkeypatch.setattr(database.time, "sleep", lambda seconds: None)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise locked()
        return "ok"

    with app.test_request_context():
        assert database.retry_when_locked(flaky)() == "ok"
    assert len(calls) == 3


def test_lasting_contention_answers_503_not_500(app, monkeypatch):
    monkeypatch.setattr(database.time, "sleep", lambda seconds: None)

    def always_locked():
        raise locked()

    app.add_url_rule("/always-locked", "always_locked",
                     database.retry_when_locked(always_locked))
    response = app.test_client().get("/always-locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "Bitte versuchen Sie es gleich noch einmal" in response.get_data(as_text=True)


def test_other_database_errors_are_not_retried(app):
    calls = []

    def broken():
        calls.append(1)
        raise locked("disk I/O error")

    with app.test_request_context(), pytest.raises(OperationalError):
        database.retry_when_locked(broken)()
    assert len(calls) == 1
