"""Invitation links, email invitations and the CSV import."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meetup.database import transaction
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.groups import invitations
from meetup.models import Application, Group, Invitation, Membership, User, utcnow
from meetup.policy import viewer_for
from tests.helpers import log_in, redirects_to, submit

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox


def group_of(app, slug):
    with app.app_context():
        return db.session.scalar(select(Group).filter_by(slug=slug)).id


def member_ids(app, slug):
    with app.app_context():
        return set(db.session.scalars(select(Membership.user_id).join(Membership.group)
                                      .where(Group.slug == slug)))


def make_link(app, slug, owner_id, days=7, max_uses=None, expired=False):
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        invitation = invitations.create_link(group, db.session.get(User, owner_id), days,
                                             max_uses)
        if expired:
            invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        return invitation.token


def test_link_invitation_to_a_private_invite_only_group(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    user_id, _ = make_user()
    slug = make_group(owner_id, "Gründerkreis", visibility="private", join_policy="invite")
    token = make_link(app, slug, owner_id)
    # Anonymous visitors see the invitation and are asked to log in or sign up.
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "Gründerkreis" in page and "/auth/signup?next=/invite/" in page
    log_in(client, "mara@example.com")
    redirects_to(submit(client, f"/invite/{token}", {}), f"/groups/{slug}")
    assert user_id in member_ids(app, slug)
    assert client.get(f"/groups/{slug}").status_code == 200


def test_invitation_to_an_approval_group_files_an_application(app, client, make_user,
                                                             make_group):
    owner_id, _ = make_user("owner@example.com")
    user_id, _ = make_user()
    slug = make_group(owner_id, "Privatkreis", visibility="private", join_policy="approval")
    token = make_link(app, slug, owner_id)
    log_in(client, "mara@example.com")
    response = submit(client, f"/invite/{token}", {"message": ""})
    assert response.status_code == 422
    response = submit(client, f"/invite/{token}", {"message": "Ich komme aus Münster."})
    redirects_to(response, "/groups/mine")
    assert user_id not in member_ids(app, slug)
    with app.app_context():
        assert db.session.scalar(select(Application.message)) == "Ich komme aus Münster."
    assert client.get(f"/groups/{slug}").status_code == 404
    assert "Warten auf Entscheidung" in client.get("/groups/mine").get_data(as_text=True)


def test_expired_used_up_revoked_and_unknown_invitations(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    make_user()
    second_id, _ = make_user("second@example.com")
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    expired = make_link(app, slug, owner_id, expired=True)
    once = make_link(app, slug, owner_id, max_uses=1)
    revoked = make_link(app, slug, owner_id)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).filter_by(token=revoked))
        invitations.revoke(db.session.get(Group, invitation.group_id), invitation.id)
        db.session.commit()

    assert client.get("/invite/not-a-token").status_code == 404
    second = app.test_client()
    log_in(second, "second@example.com")
    redirects_to(submit(second, f"/invite/{once}", {}), f"/groups/{slug}")
    assert second_id in member_ids(app, slug)

    log_in(client, "mara@example.com")
    for token in (expired, once, revoked):
        page = client.get(f"/invite/{token}")
        assert page.status_code == 410
        assert "abgelaufen oder aufgebraucht" in page.get_data(as_text=True)
        response = submit(client, f"/invite/{token}", {}, page="/", follow_redirects=True)
        assert "abgelaufen oder aufgebraucht" in response.get_data(as_text=True)
    assert member_ids(app, slug) == {owner_id, second_id}


def test_last_use_admits_exactly_one_of_two_at_once(app, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    first_id, _ = make_user("a@example.com")
    second_id, _ = make_user("b@example.com")
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    token = make_link(app, slug, owner_id, max_uses=1)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def accept(user_id):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                invitation = invitations.find(token)
                try:
                    with transaction():
                        invitation = invitations.find(token)
                        invitations.accept(invitation, viewer_for(db.session.get(User, user_id),
                                                                  invitation.group))
                    outcomes.append("joined")
                except RuleError:
                    outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(uid,)) for uid in (first_id, second_id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["joined", "refused"]
    assert len(member_ids(app, slug)) == 2


def test_banned_people_cannot_use_an_invitation(app, client, make_user, make_group):
    from meetup.models import Ban

    owner_id, _ = make_user("owner@example.com")
    user_id, _ = make_user()
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    token = make_link(app, slug, owner_id)
    with app.app_context():
        db.session.add(Ban(group_id=group_of(app, slug), user_id=user_id))
        db.session.commit()
    log_in(client, "mara@example.com")
    response = submit(client, f"/invite/{token}", {}, follow_redirects=True)
    assert "nicht beitreten" in response.get_data(as_text=True)
    assert user_id not in member_ids(app, slug)


def test_organiser_creates_a_link_and_invites_by_email(app, client, make_user, make_group,
                                                      mailbox):
    owner_id, _ = make_user()
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    log_in(client, "mara@example.com")
    page = f"/groups/{slug}/manage/invitations"
    response = submit(client, f"/groups/{slug}/manage/invitations/link",
                      {"link-days": "14", "link-max_uses": "25"}, page=page,
                      follow_redirects=True)
    assert "Neuer Einladungslink: http://localhost/invite/" in response.get_data(as_text=True)
    response = submit(client, f"/groups/{slug}/manage/invitations/email",
                      {"mail-emails": "eva@example.com\nOtto@Example.com"}, page=page)
    redirects_to(response, page)
    for address in ("eva@example.com", "otto@example.com"):
        mail = mailbox.wait_for(address)[-1]
        assert mail["Subject"] == "Einladung in den Club „Unternehmerclub Münster“"
        assert "/invite/" in mail.get_body(("plain",)).get_content()
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 3
        # Invitations never create accounts.
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_bad_email_invitation_changes_nothing(app, client, make_user, make_group, mailbox):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    response = submit(client, f"/groups/{slug}/manage/invitations/email",
                      {"mail-emails": "good@example.com\nkaputt"},
                      page=f"/groups/{slug}/manage/invitations")
    assert response.status_code == 422
    assert "Zeile 2: „kaputt“ ist keine gültige E-Mail-Adresse." in response.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert mailbox.arrived() == []


def test_link_form_bad_input(app, client, make_user, make_group):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    response = submit(client, f"/groups/{slug}/manage/invitations/link",
                      {"link-days": "0", "link-max_uses": "-3"},
                      page=f"/groups/{slug}/manage/invitations")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Zwischen 1 und 365 Tagen." in html and "Zwischen 1 und 10.000." in html


CSV = """Name;E-Mail
Eva Beispiel;eva@example.com
Otto Normal;otto@example.com
Kein Mail;
Kaputt;kaputt@
Eva Doppelt;EVA@example.com
Owner;owner@example.com
"""


def test_csv_import_invites_good_rows_and_reports_bad_ones(app, client, make_user, make_group,
                                                          mailbox):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    log_in(client, "owner@example.com")
    from io import BytesIO

    response = submit(client, f"/groups/{slug}/manage/invitations/import",
                      {"csv-file": (BytesIO(CSV.encode("utf-8-sig")), "liste.csv")},
                      page=f"/groups/{slug}/manage/invitations",
                      content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 Einladungen versendet." in html
    assert "4 Zeilen wurden nicht importiert" in html
    assert "Zeile 4: In dieser Zeile steht keine E-Mail-Adresse." in html
    assert "Zeile 5: „kaputt@“ ist keine gültige E-Mail-Adresse." in html
    assert "Zeile 6: eva@example.com steht zweimal in der Datei." in html
    assert "Zeile 7: owner@example.com ist bereits Mitglied." in html
    with app.app_context():
        invited = {(i.name, i.email) for i in db.session.scalars(select(Invitation))}
        assert invited == {("Eva Beispiel", "eva@example.com"),
                           ("Otto Normal", "otto@example.com")}
        assert db.session.scalar(select(func.count(User.id))) == 1
    mail = mailbox.wait_for("eva@example.com")[-1]
    assert "Guten Tag Eva Beispiel," in mail.get_body(("plain",)).get_content()


def test_csv_import_reads_comma_files_without_header(app, make_user, make_group):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        result = invitations.import_csv(group, db.session.get(User, owner_id),
                                        b"Anna Alt,anna@example.com\r\nBen Bau,ben@example.com\r\n")
        assert [(i.name, i.email) for i in result.invitations] == [
            ("Anna Alt", "anna@example.com"), ("Ben Bau", "ben@example.com")]
        assert result.errors == []


def test_csv_import_without_a_file_is_refused(app, client, make_user, make_group):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    response = submit(client, f"/groups/{slug}/manage/invitations/import", {},
                      page=f"/groups/{slug}/manage/invitations")
    assert response.status_code == 422
    assert "Bitte wählen Sie eine CSV-Datei." in response.get_data(as_text=True)


def xlsx_bytes() -> bytes:
    """A minimal .xlsx: a zip archive with the parts Excel writes."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 500
                         + "</worksheet>")
    return buffer.getvalue()


def import_file(client, slug, data, filename="liste.csv"):
    from io import BytesIO

    return submit(client, f"/groups/{slug}/manage/invitations/import",
                  {"csv-file": (BytesIO(data), filename)},
                  page=f"/groups/{slug}/manage/invitations", content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "message"), [
    (xlsx_bytes(), "Excel- oder Tabellendatei"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8, "Excel- oder Tabellendatei"),
    (bytes(range(256)) * 40, "keine Textdatei"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x01" * 500, "keine Textdatei"),
    (b"Anna;anna@example.com\n" * 50 + b"Ben\x00;ben@example.com\n", "keine Textdatei"),
    (b"Anna;anna@example.com\n\x81\x8d\x8f\x90\x9d;x@example.com\n", "keine Textdatei"),
    (b"Anna;" + b"x" * 140_000 + b"\n", "Zeile 1 kann nicht gelesen"),
    (b'"' + b"x" * 200_000 + b'";anna@example.com\n', "Zeile 1 kann nicht gelesen"),
    (b"Anna;" + b"x" * 5_000 + b"\n", "Zeile 1 enthält eine viel zu lange Zelle"),
    (b"".join(b"P%d;p%d@example.com\n" % (n, n) for n in range(2001)), "mehr als 2000 Zeilen"),
], ids=["xlsx", "xls", "binary", "png", "nul", "not-cp1252", "huge-cell", "huge-quoted-cell",
        "long-cell", "too-many-rows"])
def test_unreadable_csv_files_are_refused_next_to_the_field(app, client, make_user,
                                                            make_group, mailbox, data,
                                                            message):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    response = import_file(client, slug, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Zeile 3:" not in html  # no flood of line errors
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_in_the_encodings_excel_writes(app, client, make_user, make_group, mailbox,
                                           encoding):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    text = "Name;E-Mail\r\nJürgen Müßig;juergen@example.com\r\n"
    response = import_file(client, slug, text.encode(encoding))
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Invitation.name)) == "Jürgen Müßig"


def test_csv_over_the_size_limit_is_refused(app, client, make_user, make_group, monkeypatch):
    # The same check with a smaller limit: the test client would spool a 2 MB
    # body to a temporary file that it never closes.
    monkeypatch.setattr(invitations, "MAX_CSV_BYTES", 10_000)
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    response = import_file(client, slug, b"a;b@example.com\n" * 1_000)
    assert response.status_code == 422
    assert "zu groß (höchstens 2 MB)" in response.get_data(as_text=True)


def test_members_and_open_invitations_do_not_block_a_batch(app, client, make_user,
                                                          make_group, mailbox):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        invitations.create_for_email(group, db.session.get(User, owner_id), "alt@example.com")
        used = invitations.create_for_email(group, db.session.get(User, owner_id),
                                            "wieder@example.com")
        used.uses = 1  # used up: a new invitation may go out
        db.session.commit()
    log_in(client, "owner@example.com")
    page = f"/groups/{slug}/manage/invitations"
    emails = ("eva@example.com\nOwner@Example.com\nalt@example.com\nwieder@example.com\n"
              "EVA@example.com")
    response = submit(client, f"{page}/email", {"mail-emails": emails}, page=page)
    redirects_to(response, page)
    html = client.get(page).get_data(as_text=True)
    assert ("2 Einladungen versendet; 1 Adresse ist schon Mitglied: owner@example.com; "
            "1 Adresse ist schon eingeladen: alt@example.com; 1 Adresse stand doppelt in der "
            "Liste und wird einmal eingeladen: eva@example.com.") in html
    for address in ("eva@example.com", "wieder@example.com"):
        assert mailbox.wait_for(address)
    with app.app_context():
        sent = list(db.session.scalars(select(Invitation.email).order_by(Invitation.id)))
    assert sent == ["alt@example.com", "wieder@example.com", "eva@example.com",
                    "wieder@example.com"]
    assert {m["To"] for m in mailbox.arrived()} == {"eva@example.com", "wieder@example.com"}


def test_a_batch_of_only_members_sends_nothing_and_says_why(app, client, make_user,
                                                            make_group, mailbox):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    log_in(client, "owner@example.com")
    page = f"/groups/{slug}/manage/invitations"
    response = submit(client, f"{page}/email", {"mail-emails": "owner@example.com"},
                      page=page, follow_redirects=True)
    assert ("0 Einladungen versendet; 1 Adresse ist schon Mitglied: owner@example.com."
            in response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert mailbox.arrived() == []


def test_csv_import_reports_addresses_already_invited(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        invitations.create_for_email(group, db.session.get(User, owner_id), "eva@example.com")
        db.session.commit()
    log_in(client, "owner@example.com")
    response = import_file(client, slug, b"Eva;eva@example.com\nOtto;otto@example.com\n")
    html = response.get_data(as_text=True)
    assert "1 Einladung versendet." in html
    assert "Zeile 1: eva@example.com ist bereits eingeladen." in html
