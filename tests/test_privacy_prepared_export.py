"""The export of a large account, prepared in the background: asked for once,
built once by the tick (also by two workers at once), mailed as a link that
works for its owner only, expiring, purged, and gone with the account."""

import io
import json
import threading
import time
import zipfile
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from meetup.database import transaction
from meetup.extensions import db
from meetup.models import DataExport, OutboxMessage, User, utcnow
from meetup.privacy import exports, worker
from tests.contacts_world import client_for, post, text
from tests.helpers import PASSWORD, log_in, redirects_to
from tests.privacy_world import build, mails_to

pytestmark = pytest.mark.deliver_outbox
PAGE = "/account/data/"


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 1  # Anna's account counts as large
    return build(app, make_user, make_group, add_member, make_event)


def ask(client):
    return post(client, "/account/data/export/mail", page=PAGE)


def rows(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(
            DataExport.user_id, DataExport.requested_at, DataExport.started_at,
            DataExport.ready_at, DataExport.file_name, DataExport.expires_at))]


def files(app) -> list[str]:
    with app.app_context():
        return sorted(path.name for path in exports.images.folder(exports.FOLDER).iterdir())


def tick(app) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def link_in(mailbox) -> str:
    [mail] = [m for m in mailbox.wait_for("anna@example.com")
              if "/account/data/export/file/" in m.get_body(("plain",)).get_content()]
    body = mail.get_body(("plain",)).get_content()
    line = next(line for line in body.splitlines() if "/account/data/export/file/" in line)
    assert "/account/data/export/file/" in mail.get_body(("html",)).get_content()
    return line.strip().removeprefix("http://localhost")


def fetch(client, path: str):
    """GET ``path``, its body read and the file behind it closed."""
    with client.get(path) as response:
        assert response.data is not None
        return response


def prepared(app, mailbox, anna) -> str:
    """Ask, run the tick, and return the path of the mailed link."""
    redirects_to(ask(anna), PAGE)
    tick(app)
    return link_in(mailbox)


def unzipped(body: bytes) -> dict:
    """The ZIP's files, without the moment each was written."""
    with zipfile.ZipFile(io.BytesIO(body)) as zipped:
        found = {name: "\n".join(line for line in zipped.read(name).decode().splitlines()
                                 if not line.startswith(("DTSTAMP", "REV")))
                 for name in zipped.namelist()}
    data = json.loads(found["data.json"])
    data.pop("exported_at")
    return {**found, "data.json": data}


def test_a_large_account_asks_once_and_sees_the_state(app, world):
    anna = client_for(app, "anna")
    page = text(anna, PAGE)
    assert 'action="/account/data/export"' not in page
    assert "Daten vorbereiten und Download-Link senden" in page
    redirects_to(ask(anna), PAGE)
    [first] = rows(app)
    redirects_to(ask(anna), PAGE)  # a second click finds the same row
    assert rows(app) == [first]
    assert first[0] == world["ids"]["anna"] and first[2] is None and first[3] is None
    page = text(anna, PAGE)
    assert "Ihr Export wird vorbereitet …" in page and "Angefordert" in page
    assert "Daten vorbereiten" not in page  # nothing more to click while it waits
    # Nothing was built in the request, and no link mailed yet.
    assert files(app) == []
    assert [m.kind for m in mails_to(app, "anna@example.com")] == ["reset_password"]


def test_the_tick_builds_it_once_and_the_mail_arrives_with_the_link(app, world, mailbox):
    anna = client_for(app, "anna")
    redirects_to(ask(anna), PAGE)
    assert "exports 1" in tick(app)
    assert "exports 0" in tick(app)  # built once
    [(_, _, started, ready, name, expires)] = rows(app)
    assert started <= ready and expires - ready == timedelta(days=7)
    assert files(app) == [name]
    assert [m.kind for m in mails_to(app, "anna@example.com")].count("data_export_ready") == 1
    assert link_in(mailbox).startswith("/account/data/export/file/")  # over SMTP
    page = text(anna, PAGE)
    assert "Bereit" in page and "Ihr Export ist fertig" in page
    assert "Neuen Export anfordern" in page


def test_the_prepared_zip_equals_the_direct_export(app, world, mailbox):
    anna = client_for(app, "anna")
    link = prepared(app, mailbox, anna)
    response = fetch(anna, link)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 5000
    direct = post(anna, "/account/data/export", page=PAGE)
    assert direct.mimetype == "application/zip"
    background, at_once = unzipped(response.data), unzipped(direct.data)
    assert set(background) == {"data.json", "contact.vcf", "events.ics"}
    # The one thing that happened between the two: the mail with the link.
    assert at_once["data.json"]["mails"].pop()["kind"] == "data_export_ready"
    assert background == at_once


def test_the_link_works_for_its_owner_only(app, world, mailbox):
    link = prepared(app, mailbox, client_for(app, "anna"))
    assert fetch(client_for(app, "ben"), link).status_code == 404
    assert fetch(client_for(app, "ben"), link[:-3] + "abc").status_code == 404
    stranger = app.test_client()
    redirects_to(fetch(stranger, link), f"/auth/login?next={quote(link)}")
    back = log_in(stranger, "anna@example.com", PASSWORD, next=link)
    redirects_to(back, link)
    assert fetch(stranger, link).mimetype == "application/zip"


def test_an_expired_link_is_refused_with_a_clear_message(app, world, mailbox):
    anna = client_for(app, "anna")
    link = prepared(app, mailbox, anna)
    with app.app_context():
        db.session.scalar(select(DataExport)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = fetch(anna, link)
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "Download-Link abgelaufen" in html and 'href="/account/data/"' in html
    assert fetch(client_for(app, "ben"), link).status_code == 404  # still nothing to others


def test_a_link_past_its_age_and_a_replaced_link_are_refused(app, world, mailbox):
    anna = client_for(app, "anna")
    link = prepared(app, mailbox, anna)
    app.config["EXPORT_LINK_MAX_AGE"] = -1
    assert fetch(anna, link).status_code == 410
    app.config["EXPORT_LINK_MAX_AGE"] = 7 * 86400
    assert fetch(anna, link).status_code == 200
    [(_, _, _, _, old, _)] = rows(app)
    redirects_to(ask(anna), PAGE)  # a new export: the old link and file go
    assert fetch(anna, link).status_code == 410
    assert files(app) == [] and rows(app)[0][3] is None
    tick(app)
    [(_, _, _, _, new, _)] = rows(app)
    assert files(app) == [new] != [old]


def test_the_purge_removes_expired_files_and_rows(app, world, mailbox):
    prepared(app, mailbox, client_for(app, "anna"))
    runner = app.test_cli_runner()
    assert "export" not in runner.invoke(args=["accounts", "purge"]).output
    assert len(files(app)) == 1
    with app.app_context():
        db.session.scalar(select(DataExport)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    output = runner.invoke(args=["accounts", "purge"]).output
    assert output == "Purged 0 deleted accounts.\nRemoved 1 expired export.\n"
    assert rows(app) == [] and files(app) == []


def test_deleting_the_account_removes_the_export_and_its_file(app, world, mailbox):
    anna = client_for(app, "anna")
    prepared(app, mailbox, anna)
    assert len(files(app)) == 1
    response = post(anna, "/account/data/delete", {"password": PASSWORD},
                    page="/account/data/delete")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert rows(app) == [] and files(app) == []


def test_an_account_deleted_while_its_export_is_built_gets_no_file(app, world, mailbox):
    anna = client_for(app, "anna")
    redirects_to(ask(anna), PAGE)
    with app.app_context():
        claim = worker.claim_next()
        name = worker.build(claim)
    response = post(anna, "/account/data/delete", {"password": PASSWORD},
                    page="/account/data/delete")
    assert response.status_code == 200
    with app.app_context():
        assert worker.finish(claim, name) is False
    assert rows(app) == [] and files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "data_export_ready")) == 0


def run_workers(app, monkeypatch, count: int) -> tuple[list[int], list[int]]:
    """``count`` workers started at the same moment; returns what each prepared
    and whose ZIP was built (each build slow enough for the others to try)."""
    built, original = [], exports.export_zip

    def slow_export(user, now):
        built.append(user.id)
        time.sleep(0.5)
        return original(user, now)

    monkeypatch.setattr(exports, "export_zip", slow_export)
    start, results = threading.Barrier(count), []

    def work():
        with app.app_context():
            start.wait()
            results.append(worker.run())

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(results), built


def test_two_workers_at_once_build_it_once(app, world, monkeypatch):
    redirects_to(ask(client_for(app, "anna")), PAGE)
    results, built = run_workers(app, monkeypatch, 3)
    assert results == [0, 0, 1] and built == [world["ids"]["anna"]]
    assert len(files(app)) == 1
    assert [m.kind for m in mails_to(app, "anna@example.com")].count("data_export_ready") == 1


def test_workers_at_once_share_the_waiting_exports(app, world, monkeypatch):
    for name in ("anna", "ben"):
        redirects_to(ask(client_for(app, name)), PAGE)
    results, built = run_workers(app, monkeypatch, 2)
    assert sum(results) == 2
    assert sorted(built) == sorted([world["ids"]["anna"], world["ids"]["ben"]])
    assert len(files(app)) == 2 and all(row[3] is not None for row in rows(app))


def test_the_claim_is_committed_before_the_zip_is_built(app, world, monkeypatch):
    """While a ZIP is built another writer goes through at once: on SQLite the
    claim's write lock would otherwise keep it waiting for the busy timeout."""
    redirects_to(ask(client_for(app, "anna")), PAGE)
    original, took = exports.export_zip, []

    def someone_writes():
        with app.app_context():
            started = time.monotonic()
            with transaction():
                db.session.get(User, world["ids"]["ben"]).headline = "Neu im Club"
            took.append(time.monotonic() - started)

    def export_while_someone_writes(user, now):
        body = original(user, now)
        writer = threading.Thread(target=someone_writes)
        writer.start()
        writer.join(30)
        return body

    monkeypatch.setattr(exports, "export_zip", export_while_someone_writes)
    with app.app_context():
        assert worker.run() == 1
    assert len(took) == 1 and took[0] < 2


def test_the_command_prepares_exports_and_a_dead_worker_s_claim_is_taken_again(app, world):
    redirects_to(ask(client_for(app, "anna")), PAGE)
    with app.app_context():
        claim = worker.claim_next()  # this worker dies before it builds
        assert worker.claim_next() is None
        db.session.get(DataExport, claim.id).started_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "exports"])
    assert result.output == "Prepared 1 export.\n"
    with app.app_context():
        assert worker.finish(claim, "late.zip") is False  # the late worker loses its row
        user = db.session.get(User, world["ids"]["anna"])
        assert exports.pending(user.id, utcnow()).ready_at is not None
    assert len(files(app)) == 1


def test_the_page_and_the_mail_in_english(app, world, mailbox):
    anna = client_for(app, "anna")
    with app.app_context():
        db.session.get(User, world["ids"]["anna"]).locale = "en"
        db.session.commit()
    page = text(anna, PAGE)
    assert "Prepare my data and send me a download link" in page
    redirects_to(ask(anna), PAGE)
    assert "Your export is being prepared …" in text(anna, PAGE)
    tick(app)
    [mail] = [m for m in mailbox.wait_for("anna@example.com")
              if m["Subject"] == "Your data from Treffpunkt is ready"]
    assert "it works only when you are logged in" in mail.get_body(("plain",)).get_content()


def test_an_earlier_link_of_an_account_grown_large_leads_to_the_prepared_export(app, world):
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 5000
    anna = client_for(app, "anna")
    redirects_to(ask(anna), PAGE)  # small: a link whose file is built when opened
    [mail] = [m for m in mails_to(app, "anna@example.com") if m.kind == "data_export"]
    link = next(line for line in mail.body_text.splitlines() if "/account/data/export/" in line)
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 1
    response = anna.get(link.strip().removeprefix("http://localhost"))
    redirects_to(response, PAGE)
    assert "Bitte fordern Sie hier einen vorbereiteten Export an." in text(anna, PAGE)
    assert rows(app) == [] and files(app) == []
