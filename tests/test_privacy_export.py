"""Data export: everything about the person, nothing of anyone else's."""

import io
import json
import zipfile

import pytest
from sqlalchemy import update

from meetup.extensions import db
from meetup.models import OutboxMessage, User
from tests.contacts_world import client_for, post, text
from tests.privacy_world import SECRET, build, mails_to
from tests.test_legal_pages import EN


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    return build(app, make_user, make_group, add_member, make_event)


def download(client) -> zipfile.ZipFile:
    response = post(client, "/account/data/export", page="/account/data/")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_export_holds_everything_about_the_person(app, world):
    zipped = download(client_for(app, "anna"))
    assert set(zipped.namelist()) == {"data.json", "contact.vcf", "events.ics"}
    data = json.loads(zipped.read("data.json"))
    assert data["account"]["email"] == "anna@example.com"
    assert data["account"]["name"] == "Anna Schneider"
    assert data["profile"]["headline"] == "Steuerberaterin"
    assert data["profile"]["topics"] == ["Steuern", "Nachfolge"]
    assert [(m["club"], m["role"], m["title"]) for m in data["memberships"]] == [
        ("Unternehmerclub Münster", "member", "Kassiererin")]
    assert [(a["club"], a["message"], a["status"]) for a in data["applications"]] == [
        ("Anderer Club", "Ich möchte gern dabei sein.", "pending")]
    answers = {r["event"]["title"]: r for r in data["rsvps"]}
    assert set(answers) == {"Stammtisch", "Kaminabend"}
    assert answers["Stammtisch"]["checked_in_at"] and answers["Stammtisch"]["status"] == "going"
    [contact] = data["contacts"]
    assert contact["name"] == "Ben Bauer"
    assert contact["note"] == "Annas Notiz: Ben fragen wegen Nachfolge"
    assert contact["tags"] == ["Annas-Tag"] and contact["follow_up_on"]
    assert [event["title"] for event in contact["met_at"]] == ["Stammtisch"]
    assert [m["person"] for m in data["marks"]["made"]] == ["Dora Draußen"]
    assert [m["person"] for m in data["marks"]["received"]] == ["Cara Conrad"]
    assert data["blocked"] == [{"name": "Eve Anders", "created_at": data["blocked"][0][
        "created_at"]}]
    assert [(m["kind"], m["state"]) for m in data["mails"]] == [("reset_password", "sent")]
    assert data["mails"][0]["subject"] and data["mails"][0]["sent_at"]
    assert data["calendar_feed"] == {"active": False, "all_groups": False}
    vcf = zipped.read("contact.vcf").decode()
    assert "FN:Anna Schneider" in vcf and "ORG:Schneider StB" in vcf
    ics = zipped.read("events.ics").decode()
    assert ics.count("BEGIN:VEVENT") == 2 and "SUMMARY:Stammtisch" in ics


def test_the_export_holds_nothing_of_anyone_else(app, world):
    zipped = download(client_for(app, "anna"))
    everything = "\n".join(zipped.read(name).decode() for name in zipped.namelist())
    assert SECRET not in everything  # Ben's profile, his note and tag about Anna, his mail
    for name in ("ben", "cara", "dora", "olga", "eve"):
        assert f"{name}@example.com" not in everything
    # Whether Dora ignored Anna's mark is Dora's business; that Ben blocked Anna is Ben's.
    made = json.loads(zipped.read("data.json"))["marks"]["made"]
    assert all(set(mark) == {"event", "person", "created_at"} for mark in made)
    assert "Ben Bauer" not in json.dumps(json.loads(zipped.read("data.json"))["blocked"])
    assert "Hanna" not in everything  # Ben's mark of Hanna
    # The events as the person sees them in their calendar, not copied into data.json.
    assert "Mit Ben und anderen" not in zipped.read("data.json").decode()


def test_a_photo_goes_into_the_export(app, world, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "anna.png").write_bytes(b"\x89PNG fake")
    with app.app_context():
        from meetup.models import User

        db.session.get(User, world["ids"]["anna"]).photo = "anna.png"
        db.session.commit()
    zipped = download(client_for(app, "anna"))
    assert zipped.read("photo.png") == b"\x89PNG fake"
    assert json.loads(zipped.read("data.json"))["profile"]["photo"] == "photo.png"


def test_the_link_by_mail_is_signed_expiring_and_only_for_its_owner(app, world):
    anna = client_for(app, "anna")
    response = post(anna, "/account/data/export/mail", page="/account/data/")
    assert response.status_code == 302
    [mail] = [m for m in mails_to(app, "anna@example.com") if m.kind == "data_export"]
    link = next(line for line in mail.body_text.splitlines() if "/account/data/export/" in line)
    path = link.strip().removeprefix("http://localhost")
    assert anna.get(path).mimetype == "application/zip"
    assert client_for(app, "ben").get(path).status_code == 403
    assert anna.get(path + "x").status_code == 400
    app.config["EXPORT_LINK_MAX_AGE"] = -1
    assert "abgelaufen" in anna.get(path).get_data(as_text=True)


def test_a_large_account_is_offered_the_link_only(app, world):
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 1
    anna = client_for(app, "anna")
    html = text(anna, "/account/data/")
    assert "Download-Link" in html and 'action="/account/data/export"' not in html
    assert post(anna, "/account/data/export", page="/account/data/").status_code == 409


def test_the_pages_in_both_languages(app, world):
    anna = client_for(app, "anna")
    german, english = text(anna, "/account/data/"), anna.get(
        "/account/data/", headers=EN).get_data(as_text=True)
    assert "<h1>Meine Daten</h1>" in german and "Meine Daten herunterladen" in german
    assert "<h1>My data</h1>" in english and "Download my data" in english
    assert "Meine Daten herunterladen" in text(anna, "/account/")


def test_the_pages_need_a_login(client, world):
    for path in ("/account/data/", "/account/data/delete"):
        assert client.get(path).status_code == 302
    assert db is not None and OutboxMessage is not None


def test_links_by_mail_are_limited(app, world):
    anna = client_for(app, "anna")
    answers = [post(anna, "/account/data/export/mail", page="/account/data/").status_code
               for _ in range(6)]
    assert answers == [302] * 5 + [429]


def test_the_file_is_named_in_the_persons_language(app, world):
    def name_for(key: str) -> str:
        response = post(client_for(app, key), "/account/data/export", page="/account/data/")
        return response.headers["Content-Disposition"]

    assert 'filename="treffpunkt-daten-' in name_for("anna")
    with app.app_context():
        db.session.execute(update(User).where(User.email == "anna@example.com")
                           .values(locale="en"))
        db.session.commit()
    assert 'filename="treffpunkt-data-' in name_for("anna")
