"""Organisers write to many, members write to the organisers: exactly the chosen
audience, nobody else; never by a member; within the daily limits; no organiser's
address ever shown to the writer. And an address the server keeps refusing is flagged."""


import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Announcement, OutboxMessage, User
from meetup.notify.outbox import queue
from meetup.notify.sender import send_pending
from tests.helpers import log_in, redirects_to, submit


def deliver(app) -> None:
    with app.app_context():
        send_pending()


def client_for(app, email):
    client = app.test_client()
    log_in(client, email)
    return client


def rsvp(client, event_id):
    page = f"/events/{event_id}"
    redirects_to(submit(client, f"{page}/rsvp", {"answer": "yes", "guests": "0"}, page=page),
                 page)


@pytest.fixture
def people(app, club, make_user, add_member, make_event):
    """The club with an evening of one seat: Anna goes, Jens waits, Paula is a member
    without an answer, Otto is an organiser, Xaver is signed up but no member."""
    slug, _owner = club
    event = make_event(slug, capacity=1)
    for email, name, role in (("anna@example.com", "Anna", "member"),
                              ("jens@example.com", "Jens", "member"),
                              ("paula@example.com", "Paula", "member"),
                              ("otto@example.com", "Otto", "organiser")):
        add_member(slug, make_user(email, name=name, locale="en" if name == "Jens" else None)[0],
                   role=role)
    make_user("xaver@example.com", name="Xaver")
    rsvp(client_for(app, "anna@example.com"), event)
    rsvp(client_for(app, "jens@example.com"), event)
    deliver(app)  # the RSVP confirmations, out of the way
    return slug, event


def announce(client, url, audience="going", subject="Parken am Hafen", text="Bitte hinten."):
    return submit(client, url, {"audience": audience, "subject": subject, "text": text})


def announcements_to(mailbox) -> list[str]:
    return sorted(m["To"] for m in mailbox.arrived() if m["Subject"] == "Parken am Hafen")


@pytest.mark.parametrize(("audience", "expected"), [
    ("going", ["anna@example.com"]),
    ("waitlist", ["jens@example.com"]),
    ("members", ["anna@example.com", "jens@example.com", "otto@example.com",
                 "owner@example.com", "paula@example.com"]),
])
def test_an_event_announcement_reaches_exactly_its_audience(app, people, mailbox, audience,
                                                            expected):
    slug, event = people
    mailbox.clear()
    owner = client_for(app, "owner@example.com")
    response = announce(owner, f"/events/{event}/manage/announce", audience)
    redirects_to(response, f"/events/{event}/manage/announce")
    deliver(app)
    assert announcements_to(mailbox) == expected
    mail = next(m for m in mailbox.messages if m["Subject"] == "Parken am Hafen")
    assert "Unternehmerclub Münster" in mail["From"] and mail["Reply-To"] is None
    body = mail.get_body(("plain",)).get_content()
    assert "Bitte hinten." in body and f"http://localhost/events/{event}" in body
    assert "owner@example.com" not in mail.as_string().replace(mail["To"], "")
    log = owner.get(f"/events/{event}/manage/announce").get_data(as_text=True)
    assert "Parken am Hafen" in log and f"<td>{len(expected)}</td>" in log


def test_a_club_announcement_goes_to_every_member_and_nobody_else(app, people, mailbox):
    slug, _event = people
    mailbox.clear()
    owner = client_for(app, "owner@example.com")
    redirects_to(announce(owner, f"/groups/{slug}/manage/announcements", "members",
                          text="<script>alert(1)</script> Sommerfest!"),
                 f"/groups/{slug}/manage/announcements")
    deliver(app)
    assert announcements_to(mailbox) == ["anna@example.com", "jens@example.com",
                                         "otto@example.com", "owner@example.com",
                                         "paula@example.com"]
    jens = next(m for m in mailbox.messages if m["To"] == "jens@example.com")
    assert "Questions? Write to the organisers:" in jens.get_body(("plain",)).get_content()
    html = jens.get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html  # text, rendered safely


def test_members_cannot_announce(app, people, make_user, make_group, mailbox):
    slug, event = people
    paula = client_for(app, "paula@example.com")
    for url in (f"/events/{event}/manage/announce", f"/groups/{slug}/manage/announcements"):
        assert paula.get(url).status_code == 403
        token_page = f"/groups/{slug}/contact"  # any page of ours with a CSRF token
        assert submit(paula, url, {"audience": "members", "subject": "Spam", "text": "x"},
                      page=token_page).status_code == 403
    other = make_group(make_user("boss@example.com")[0], name="Geheimclub",
                       visibility="private")
    assert paula.get(f"/groups/{other}/manage/announcements").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Announcement.id))) == 0
        assert db.session.scalar(select(func.count(OutboxMessage.id))
                                 .where(OutboxMessage.kind == "announcement")) == 0


def test_announcements_are_limited_per_club_and_day(app, people, mailbox):
    slug, event = people
    app.config["ANNOUNCEMENTS_PER_DAY"] = 2
    owner = client_for(app, "owner@example.com")
    url = f"/events/{event}/manage/announce"
    for _ in range(2):
        redirects_to(announce(owner, url), url)
    refused = announce(owner, url)
    assert refused.status_code == 429
    assert "in the last 24 hours" in refused.get_data(as_text=True) or (
        "in den letzten 24 Stunden" in refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count(Announcement.id))) == 2


def test_a_bad_announcement_form_says_why(app, people):
    _slug, event = people
    owner = client_for(app, "owner@example.com")
    response = announce(owner, f"/events/{event}/manage/announce", audience="everyone",
                        subject="")
    assert response.status_code == 422
    assert "Bitte geben Sie einen Betreff ein." in response.get_data(as_text=True)


def write_to_organisers(client, slug, subject="Frage zum Stammtisch"):
    return submit(client, f"/groups/{slug}/contact",
                  {"subject": subject, "text": "Darf ich Gäste mitbringen?"})


def test_the_contact_form_reaches_the_organisers_without_showing_their_addresses(
        app, people, mailbox):
    slug, _event = people
    mailbox.clear()
    paula = client_for(app, "paula@example.com")
    form = paula.get(f"/groups/{slug}/contact").get_data(as_text=True)
    response = write_to_organisers(paula, slug)
    redirects_to(response, f"/groups/{slug}")
    after = paula.get(f"/groups/{slug}").get_data(as_text=True)
    for page in (form, after):
        assert "owner@example.com" not in page and "otto@example.com" not in page
    deliver(app)
    mails = mailbox.arrived()
    assert sorted(m["To"] for m in mails) == ["otto@example.com", "owner@example.com"]
    for mail in mails:
        assert mail["Reply-To"] == "paula@example.com"
        assert mail["From"].addresses[0].display_name == "Paula via Unternehmerclub Münster"
        other = ({"otto@example.com", "owner@example.com"} - {mail["To"]}).pop()
        assert other not in mail.as_string()  # one mail each, no copies, no Cc
        assert "Darf ich Gäste mitbringen?" in mail.get_body(("plain",)).get_content()
    assert not [m for m in mails if "paula@example.com" in m["To"]]


def test_signed_in_visitors_may_write_to_public_clubs_only(app, people, make_user, make_group,
                                                        mailbox):
    slug, _event = people
    xaver = client_for(app, "xaver@example.com")
    redirects_to(write_to_organisers(xaver, slug), f"/groups/{slug}")
    private = make_group(make_user("boss@example.com")[0], name="Geheimclub",
                         visibility="private")
    assert xaver.get(f"/groups/{private}/contact").status_code == 404
    anonymous = app.test_client().get(f"/groups/{slug}/contact")
    assert "/auth/login" in anonymous.headers["Location"]
    deliver(app)
    assert sorted(m["To"] for m in mailbox.arrived()
                  if "Frage zum Stammtisch" in m["Subject"]) == ["otto@example.com",
                                                                 "owner@example.com"]


def test_messages_to_organisers_are_limited_per_sender(app, people, mailbox):
    slug, _event = people
    app.config["CONTACT_MESSAGES_PER_DAY"] = 1
    paula = client_for(app, "paula@example.com")
    redirects_to(write_to_organisers(paula, slug), f"/groups/{slug}")
    refused = write_to_organisers(paula, slug, subject="Noch eine Frage")
    assert refused.status_code == 429
    assert "Bitte versuchen Sie es morgen wieder." in refused.get_data(as_text=True)
    deliver(app)
    assert not [m for m in mailbox.arrived() if "Noch eine Frage" in m["Subject"]]


def test_the_403_page_links_to_the_contact_form(app, people):
    slug, _event = people
    page = client_for(app, "paula@example.com").get(f"/groups/{slug}/manage/members")
    assert page.status_code == 403
    assert f'href="/groups/{slug}/contact"' in page.get_data(as_text=True)


FLAG = "Mails an diese Adresse kommen nicht an"


def send_resets(app, email, count, start=0):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for number in range(start, start + count):
            queue(email, "reset_password", "de", kind="reset_password", key=f"test:{number}",
                  user=user, link=f"http://localhost/reset/{number}")
        db.session.commit()
        send_pending()


def test_an_address_refused_again_and_again_is_flagged_until_a_mail_gets_through(
        app, make_user, mailbox):
    make_user("mara@example.com")
    mara = client_for(app, "mara@example.com")
    mailbox.refused["mara@example.com"] = "550 5.1.1 No such user"
    send_resets(app, "mara@example.com", 2)
    assert FLAG not in mara.get("/account/").get_data(as_text=True)  # twice may be chance
    send_resets(app, "mara@example.com", 1, start=2)
    page = mara.get("/account/").get_data(as_text=True)
    assert FLAG in page
    with app.app_context():
        states = db.session.scalars(select(OutboxMessage.state)).all()
    assert states == ["failed"] * 3  # refused for good: no retries
    del mailbox.refused["mara@example.com"]
    send_resets(app, "mara@example.com", 1, start=3)
    assert mailbox.wait_for("mara@example.com")
    assert FLAG not in mara.get("/account/").get_data(as_text=True)


def test_a_new_address_starts_without_the_flag(app, make_user, mailbox):
    user_id, _ = make_user("mara@example.com")
    mara = client_for(app, "mara@example.com")
    mailbox.refused["mara@example.com"] = "550 5.1.1 No such user"
    send_resets(app, "mara@example.com", 3)
    assert FLAG in mara.get("/account/").get_data(as_text=True)
    with app.app_context():
        db.session.get(User, user_id).email = "mara.neu@example.com"  # as a confirmed change
        db.session.commit()
    assert FLAG not in mara.get("/account/").get_data(as_text=True)
