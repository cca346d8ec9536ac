"""``flask --app meetup outbox send|work|status``, and the development mailbox page."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from meetup.extensions import db
from meetup.models import OutboxMessage, OutboxState, User, utcnow
from meetup.notify.outbox import Attachment, queue
from meetup.notify.sender import send_pending
from tests.helpers import log_in, make_app
from tests.outbox_helpers import Person, queue_many, rows

ROOT = Path(__file__).resolve().parent.parent


def test_outbox_send_reports_what_it_did(app, mailbox):
    mailbox.refused["person2@example.com"] = "550 5.1.1 no such user"
    queue_many(app, 3)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    # The refusal is logged (stderr); the report is the command's output.
    assert result.stdout.strip() == "Outbox: sent 2, to retry 0, failed 1."
    assert len(mailbox.wait_for_count(2)) == 2


def test_outbox_status_counts_by_state_and_tells_the_oldest_waiting(app, mailbox):
    queue_many(app, 4)
    with app.app_context():
        send_pending(limit=1)
        queue("late@example.com", "reset_password", "de", kind="x", key="y", user=Person(),
              link="x")
        db.session.execute(update(OutboxMessage).where(OutboxMessage.recipient
                                                       == "person1@example.com")
                           .values(state=OutboxState.CANCELLED))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.recipient
                                                       == "person2@example.com")
                           .values(created_at=utcnow() - timedelta(minutes=75)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split() for line in lines[:5]] == [
        ["waiting", "3"], ["sending", "0"], ["sent", "1"], ["failed", "0"], ["cancelled", "1"]]
    assert lines[5].startswith("oldest waiting: queued 1 h 15 min ago (")
    assert lines[6].startswith("next due: ")


def test_outbox_status_of_an_empty_outbox(app):
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert result.exit_code == 0
    assert "oldest waiting: none" in result.output


# --- outbox work, as a process ------------------------------------------------------

def start_worker(database_uri: str, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_uri, "MEETUP_SECRET_KEY": "worker-test",
           "MEETUP_SITE_URL": "http://localhost", "MEETUP_MAIL_SERVER": "127.0.0.1",
           "MEETUP_MAIL_PORT": str(smtp_port), "MEETUP_OUTBOX_BATCH": "5"}
    with log.open("w") as output:  # the child keeps its own copy open
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "--app", "meetup", "outbox", "work",
             "--idle", "0.1"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_until_started(logs: list[Path]) -> None:
    deadline = time.monotonic() + 30
    while not all("started" in log.read_text() for log in logs):
        assert time.monotonic() < deadline, [log.read_text() for log in logs]
        time.sleep(0.1)


def test_two_outbox_workers_send_everything_once_and_stop_on_sigterm(sqlite_file, smtp,
                                                                     mailbox, tmp_path):
    app = make_app(sqlite_file, smtp[0].port)
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    workers = [start_worker(sqlite_file, smtp[0].port, log) for log in logs]
    try:
        wait_until_started(logs)
        message_ids = queue_many(app, 60)
        mailbox.wait_for_count(60, timeout=60)
        later = queue_many(app, 5, start=100)  # queued while they run
        mailbox.wait_for_count(65, timeout=30)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=20) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    output = [log.read_text() for log in logs]
    assert codes == [0, 0], output
    assert all("stopped." in text for text in output), output
    assert all("Outbox: sent" in text for text in output), output  # both took a share
    assert mailbox.by_message_id() == dict.fromkeys(message_ids + later, 1)
    states = {row.state for row in rows(app)}
    assert states == {OutboxState.SENT}, states
    with app.app_context():
        db.engine.dispose()


def test_sigterm_while_idle_stops_the_worker_at_once(sqlite_file, smtp, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(sqlite_file, smtp[0].port, log)
    try:
        wait_until_started([log])
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert "stopped." in log.read_text()


# --- the development mailbox --------------------------------------------------------

@pytest.fixture
def delivered(app, make_user):
    """A German mail with a calendar attachment, delivered to the development mailbox."""
    app.config["MAIL_SERVER"] = None
    with app.app_context():
        message = queue("mara@example.com", "reset_password", "de", kind="reset_password",
                        key="user:1", user=Person(), link="http://localhost/reset/abc",
                        sender_name="Unternehmerclub Münster",
                        attachment=Attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "CANCEL"))
        db.session.commit()
        assert send_pending().sent == 1
        return message.id


def make_admin(app, make_user, locale=None) -> str:
    user_id, email = make_user("admin@example.com", name="Ada Admin", locale=locale)
    with app.app_context():
        db.session.get(User, user_id).is_admin = True
        db.session.commit()
    return email


def test_an_admin_reads_the_development_mailbox(app, client, make_user, delivered):
    log_in(client, make_admin(app, make_user))
    page = client.get("/dev/mailbox/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Entwicklungspostfach" in html and "Neues Passwort wählen" in html
    assert "mara@example.com" in html and "Zugestellt" in html

    message = client.get(f"/dev/mailbox/{delivered}")
    assert message.status_code == 200
    text = message.get_data(as_text=True)
    assert "Guten Tag Jürgen Groß," in text  # readable text, no transfer encoding
    assert "=C3=BC" not in text and "=\n" not in text
    assert "http://localhost/reset/abc" in text
    assert "Unternehmerclub Münster &lt;" in text and "=?utf-8?" not in text  # the sender
    assert "übergeben" in text and "development mailbox" in text  # the attempt, in words

    ics = client.get(f"/dev/mailbox/{delivered}/invite.ics")
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar" and ics.mimetype_params["method"] == "CANCEL"
    assert ics.data == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert "attachment" in ics.headers["Content-Disposition"]


def test_the_development_mailbox_speaks_english_too(app, client, make_user, delivered):
    log_in(client, make_admin(app, make_user, locale="en"))
    html = client.get("/dev/mailbox/").get_data(as_text=True)
    assert "Development mailbox" in html and "Delivered" in html


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_development_mailbox_does_not_exist_for_others(app, client, make_user, delivered,
                                                           who):
    if who == "member":
        make_user()
        log_in(client, "mara@example.com")
    for path in ("/dev/mailbox/", f"/dev/mailbox/{delivered}",
                 f"/dev/mailbox/{delivered}/invite.ics"):
        assert client.get(path).status_code == 404, path


def test_with_a_mail_server_nobody_reads_mails_on_the_site(app, client, make_user, delivered):
    log_in(client, make_admin(app, make_user))
    app.config["MAIL_SERVER"] = "127.0.0.1"
    assert client.get("/dev/mailbox/").status_code == 404
    assert client.get(f"/dev/mailbox/{delivered}").status_code == 404


def test_a_mail_without_attachment_has_no_download(app, client, make_user):
    app.config["MAIL_SERVER"] = None
    [_message_id] = queue_many(app, 1)
    log_in(client, make_admin(app, make_user))
    [row] = rows(app)
    assert client.get(f"/dev/mailbox/{row.id}").status_code == 200
    assert client.get(f"/dev/mailbox/{row.id}/invite.ics").status_code == 404
    assert client.get("/dev/mailbox/99999").status_code == 404
