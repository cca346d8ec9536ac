"""The per-account login limit: kept in the database, the same for unknown addresses."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from meetup.auth import services
from meetup.extensions import db
from meetup.models import utcnow
from meetup.models.user import LoginThrottle
from tests.helpers import (
    PASSWORD,
    csrf_token,
    get_user,
    log_in,
    make_app,
    redirects_to,
    submit,
)

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox

LIMIT = 3
LOCKED = "Zu viele fehlgeschlagene Versuche für dieses Konto"


@pytest.fixture
def app(database_uri, smtp):
    """Only the per-account limit counts here, not the per-address one."""
    app = make_app(database_uri, smtp[0].port, LOGIN_RATE_LIMIT="1000 per minute",
                   ACCOUNT_LOGIN_LIMIT=LIMIT, SITE_URL="https://treffpunkt.example.org")
    yield app
    with app.app_context():
        db.engine.dispose()


def fail(client, email="mara@example.com"):
    return log_in(client, email=email, password="wrong password!")


def test_account_locks_after_failures_from_two_app_instances(app, make_user, database_uri,
                                                             smtp):
    make_user()
    other = make_app(database_uri, smtp[0].port, LOGIN_RATE_LIMIT="1000 per minute",
                     ACCOUNT_LOGIN_LIMIT=LIMIT)
    clients = [app.test_client(), other.test_client()]
    try:
        statuses = [fail(clients[n % 2]).status_code for n in range(LIMIT)]
        assert statuses == [422] * LIMIT
        # Now even the right password is refused, from either instance.
        for client in clients:
            response = log_in(client, "mara@example.com")
            assert response.status_code == 429
            assert LOCKED in response.get_data(as_text=True)
            assert "Abmelden" not in client.get("/").get_data(as_text=True)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_locked_unknown_address_looks_like_a_locked_account(app, make_user):
    make_user()
    responses = {}
    for email in ("mara@example.com", "nobody@example.com"):
        client = app.test_client()
        for _ in range(LIMIT):
            assert fail(client, email).status_code == 422
        responses[email] = fail(client, email)
    known, unknown = responses.values()
    assert known.status_code == unknown.status_code == 429
    def page(response, name):
        html = response.get_data(as_text=True).replace(name, "X")
        return re.sub(r'name="csrf_token"[^>]*>', "", html)

    assert LOCKED in page(known, "mara")
    assert page(known, "mara") == page(unknown, "nobody")


def test_the_owner_gets_one_mail_per_lock_in_their_language(app, client, make_user, mailbox):
    make_user(locale="en")
    for _ in range(LIMIT + 2):
        fail(client)
    for _ in range(LIMIT):
        fail(client, "nobody@example.com")
    mails = mailbox.wait_for("mara@example.com")
    assert len(mails) == 1
    assert mails[0]["Subject"] == "Someone tried to log in to your account"
    link = mailbox.last_link("mara@example.com")
    assert link.startswith("https://treffpunkt.example.org/auth/reset/")
    assert [m["To"] for m in mailbox.arrived()] == ["mara@example.com"]

    # The reset link in the mail is the owner's way out of the lock.
    path = link.removeprefix("https://treffpunkt.example.org")
    redirects_to(submit(client, path, {"password": "brand-new-secret"}), "/")
    submit(client, "/auth/logout", {}, page="/")
    redirects_to(log_in(client, "mara@example.com", password="brand-new-secret"), "/")


def test_lock_mail_speaks_german_by_default(app, client, make_user, mailbox):
    make_user()
    for _ in range(LIMIT):
        fail(client)
    mail = mailbox.wait_for("mara@example.com")[0]
    assert mail["Subject"] == "Jemand hat versucht, sich bei Ihrem Konto anzumelden"


def test_a_successful_login_resets_the_count(app, client, make_user):
    make_user()
    for _ in range(LIMIT - 1):
        fail(client)
    redirects_to(log_in(client, "mara@example.com"), "/")
    submit(client, "/auth/logout", {}, page="/")
    for _ in range(LIMIT - 1):
        assert fail(client).status_code == 422
    redirects_to(log_in(client, "mara@example.com"), "/")


def test_the_lock_ends_after_the_window(app, client, make_user):
    make_user()
    for _ in range(LIMIT):
        fail(client)
    assert log_in(client, "mara@example.com").status_code == 429
    with app.app_context():
        db.session.execute(update(LoginThrottle).values(
            window_start=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    redirects_to(log_in(client, "mara@example.com"), "/")


def test_concurrent_failures_each_count_and_send_one_mail(app, make_user, mailbox):
    make_user()
    clients = [app.test_client() for _ in range(6)]
    tokens = [csrf_token(c.get("/auth/login").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def attempt(client, token):
        barrier.wait()
        statuses.append(client.post("/auth/login", data={
            "csrf_token": token, "email": "mara@example.com",
            "password": "wrong password!"}).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens,
                                                                            strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == len(clients) and set(statuses) <= {422, 429}
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle))
        # Every attempt that got to check the password was counted.
        assert row.failures == statuses.count(422) >= LIMIT
    assert len(mailbox.wait_for("mara@example.com")) == 1
    assert log_in(app.test_client(), "mara@example.com").status_code == 429


def test_no_transaction_is_open_while_the_password_is_hashed(app, make_user, monkeypatch):
    make_user()
    seen = []
    check = services.check_password_hash

    def spy(password_hash, password):
        seen.append(db.session().in_transaction())
        return check(password_hash, password)

    monkeypatch.setattr(services, "check_password_hash", spy)
    with app.test_request_context(method="POST"):
        assert services.authenticate("mara@example.com", "wrong password!").user is None
        assert services.authenticate("mara@example.com", PASSWORD).user is not None
    assert seen == [False, False]
    assert get_user(app, "mara@example.com") is not None
