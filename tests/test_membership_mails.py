"""Membership and account mails through the outbox, delivered over real SMTP: each
kind once, to the right person, in their language, from the club's name, with
absolute links and no member's address in it."""

import re

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import OutboxMessage
from meetup.notify.sender import send_pending
from tests.helpers import log_in, redirects_to, submit


def deliver(app) -> None:
    with app.app_context():
        send_pending()


def text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def html(mail) -> str:
    return mail.get_body(("html",)).get_content()


def kinds(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.kind)))


def approval_club(make_user, make_group, add_member):
    owner_id, _ = make_user("owner@example.com", name="Olga Owner")
    slug = make_group(owner_id, join_policy="approval")
    organiser_id, _ = make_user("orga@example.com", name="Otto Orga", locale="en")
    add_member(slug, organiser_id, role="organiser")
    member_id, _ = make_user("plain@example.com", name="Paula Plain")
    add_member(slug, member_id)
    return slug


def apply(app, make_user, slug, email="mara@example.com", locale=None):
    make_user(email, name="Mara Bewerberin", locale=locale)
    client = app.test_client()
    log_in(client, email)
    redirects_to(submit(client, f"/groups/{slug}/apply", {"message": "Ich leite eine Kanzlei."}),
                 f"/groups/{slug}")
    return client


def test_a_new_application_reaches_each_organiser_once(app, make_user, make_group,
                                                       add_member, mailbox):
    slug = approval_club(make_user, make_group, add_member)
    apply(app, make_user, slug)
    deliver(app)
    [german] = mailbox.wait_for("owner@example.com")
    [english] = mailbox.wait_for("orga@example.com")
    assert german["Subject"] == "Neue Bewerbung für den Club „Unternehmerclub Münster“"
    assert english["Subject"] == "New application to Unternehmerclub Münster"
    assert "Unternehmerclub Münster" in german["From"]
    assert f"http://localhost/groups/{slug}/manage/applications" in text(german)
    assert f'href="http://localhost/groups/{slug}/manage/applications"' in html(german)
    # Nobody else hears of it, and no address but the recipient's is in the mail.
    assert sorted(m["To"] for m in mailbox.messages) == ["orga@example.com",
                                                          "owner@example.com"]
    for mail in (german, english):
        assert "mara@example.com" not in mail.as_string()
        assert mail["Reply-To"] is None


def test_the_decision_reaches_the_applicant_in_their_language(app, make_user, make_group,
                                                              add_member, mailbox):
    slug = approval_club(make_user, make_group, add_member)
    apply(app, make_user, slug, locale="en")
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    page = organiser.get(f"/groups/{slug}/manage/applications").get_data(as_text=True)
    [action] = re.findall(r'action="([^"]*/approve)"', page)
    submit(organiser, action, {}, page=f"/groups/{slug}/manage/applications")
    deliver(app)
    [mail] = mailbox.wait_for("mara@example.com")
    assert mail["Subject"] == "Welcome to Unternehmerclub Münster"
    assert "Unternehmerclub Münster" in mail["From"]
    assert f"http://localhost/groups/{slug}/contact" in text(mail)
    assert "owner@example.com" not in mail.as_string()
    assert kinds(app).count("application_decided") == 1


def test_an_invitation_says_who_invited_with_the_note(app, club, make_user, mailbox):
    slug, _owner = club
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    note = "Wir treffen uns jeden Donnerstag – <b>kommen Sie vorbei</b>!"
    response = submit(organiser, f"/groups/{slug}/manage/invitations/email",
                      {"mail-emails": "eva@example.com", "mail-note": note},
                      page=f"/groups/{slug}/manage/invitations")
    redirects_to(response, f"/groups/{slug}/manage/invitations")
    deliver(app)
    [mail] = mailbox.wait_for("eva@example.com")
    assert mail["Subject"] == "Einladung in den Club „Unternehmerclub Münster“"
    assert "Unternehmerclub Münster" in mail["From"]
    body = text(mail)
    assert "Mara Beispiel lädt Sie ein" in body and note in body
    assert re.search(r"http://localhost/invite/\S+", body)
    # The note is text in the HTML part, never markup.
    assert "&lt;b&gt;kommen Sie vorbei&lt;/b&gt;" in html(mail)
    assert "<b>kommen" not in html(mail)


def test_a_resent_verification_is_a_second_mail_with_its_own_link(app, make_user, mailbox):
    make_user("neu@example.com", verified=False)
    client = app.test_client()
    log_in(client, "neu@example.com")
    submit(client, "/auth/resend", {}, page="/account/")
    deliver(app)
    [mail] = mailbox.wait_for("neu@example.com")
    assert mail["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert re.search(r'href="http://localhost/auth/verify/[^"]+"', html(mail))
    assert kinds(app) == ["verify_email"]


def test_an_invitation_to_an_approval_club_tells_the_organisers(app, make_user, make_group,
                                                                add_member, mailbox):
    slug = approval_club(make_user, make_group, add_member)
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    submit(organiser, f"/groups/{slug}/manage/invitations/link", {"link-days": "7"},
           page=f"/groups/{slug}/manage/invitations")
    page = organiser.get(f"/groups/{slug}/manage/invitations").get_data(as_text=True)
    token = re.findall(r"/invite/([\w-]+)", page)[0]
    make_user("karl@example.com", name="Karl Kasse")
    karl = app.test_client()
    log_in(karl, "karl@example.com")
    redirects_to(submit(karl, f"/invite/{token}", {"message": "Ich komme aus Münster."}),
                 "/groups/mine")
    deliver(app)
    assert mailbox.wait_for("owner@example.com")[0]["Subject"] == (
        "Neue Bewerbung für den Club „Unternehmerclub Münster“")
    assert mailbox.wait_for("orga@example.com")
