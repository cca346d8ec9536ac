"""Sign-up and password reset do the same work for a known and an unknown address:
one password hash (sign-up), one mail, the same SQL statements — so neither the
answer nor its timing tells whether an account exists. Counted, not timed."""

import re

import pytest

from meetup.auth import views as auth_views
from meetup.notify.sender import send_pending
from tests.helpers import csrf_token

NEW_ACCOUNT = re.compile(r'^INSERT INTO "?user"? ')
# Sign-up mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)


def statements(recorded: list[str]) -> list[str]:
    """The statements that touch data, in order, without transaction control."""
    return [" ".join(s.split()) for s in recorded if not TRANSACTION_CONTROL.match(s.strip())]


def post(client, path: str, data: dict, count_queries) -> tuple[list[str], int]:
    token = csrf_token(client.get(path).get_data(as_text=True))
    with count_queries() as recorded:
        response = client.post(path, data={"csrf_token": token, **data})
    return statements(recorded), response.status_code


def test_reset_runs_the_same_statements_and_mails_either_way(app, make_user, mailbox,
                                                             count_queries):
    make_user("mara@example.com")
    known, known_status = post(app.test_client(), "/auth/reset",
                               {"email": "mara@example.com"}, count_queries)
    unknown, unknown_status = post(app.test_client(), "/auth/reset",
                                   {"email": "ghost@example.com"}, count_queries)
    assert known_status == unknown_status == 302
    assert known == unknown
    assert any(s.startswith("INSERT INTO outbox_message") for s in known)
    with app.app_context():
        send_pending()
    assert len(mailbox.wait_for("mara@example.com")) == 1
    assert len(mailbox.wait_for("ghost@example.com")) == 1


def test_sign_up_hashes_and_mails_once_either_way(app, make_user, mailbox, count_queries,
                                                  monkeypatch):
    make_user("mara@example.com")
    hashed = []
    original = auth_views.hash_password
    monkeypatch.setattr(auth_views, "hash_password",
                        lambda password: hashed.append(1) or original(password))
    form = {"name": "Mara Zwei", "password": "long-enough-1"}
    known, known_status = post(app.test_client(), "/auth/signup",
                               {**form, "email": "mara@example.com"}, count_queries)
    assert hashed == [1]
    unknown, unknown_status = post(app.test_client(), "/auth/signup",
                                   {**form, "email": "neu@example.com"}, count_queries)
    assert hashed == [1, 1]
    assert known_status == unknown_status == 302
    assert len(mailbox.wait_for("mara@example.com")) == 1
    assert len(mailbox.wait_for("neu@example.com")) == 1
    # The new account's row is what a sign-up is for; apart from it, the same reads.
    assert [s for s in unknown if not NEW_ACCOUNT.match(s)] == known
    assert len(unknown) == len(known) + 1
