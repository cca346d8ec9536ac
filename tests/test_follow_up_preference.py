"""The contact follow-up reminder is a mail one may do without: a switch on the
preferences page, an unsubscribe link with the RFC 8058 headers in every such mail,
and when it is off the tick sends nothing but still marks the follow-up as reminded
(switching it on later brings the next ones, not the old ones at once)."""

from datetime import date, timedelta

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Contact, ContactCard, OutboxMessage, utcnow
from tests.helpers import log_in
from tests.notify_world import deliver, text_of, tick
from tests.test_mail_preferences import save_page, wants


def follow_up(app, owner: int, other: int, note: str, day: date) -> int:
    """``owner`` wants to get back to ``other`` on ``day``; the card's id."""
    with app.app_context():
        first, second = sorted((owner, other))
        contact = db.session.scalar(select(Contact).filter_by(first_id=first, second_id=second))
        if contact is None:
            contact = Contact(first_id=first, second_id=second)
            db.session.add(contact)
            db.session.flush()
        card = ContactCard(contact_id=contact.id, owner_id=owner, other_id=other, note=note,
                           follow_up_on=day)
        db.session.add(card)
        db.session.commit()
        return card.id


def reminded(app, card_id: int) -> bool:
    with app.app_context():
        return db.session.get(ContactCard, card_id).reminded_at is not None


def follow_up_mails(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)).filter_by(
            kind="follow_up", recipient=email))


def test_switched_off_no_mail_but_the_follow_up_counts_as_reminded(app, make_user, mailbox):
    ben, _ = make_user("ben@example.com", name="Ben Bauer")
    anna, _ = make_user("anna@example.com", name="Anna Schneider")
    cara, _ = make_user("cara@example.com", name="Cara Conrad")
    client = app.test_client()
    log_in(client, "ben@example.com")
    page = client.get("/account/mail").get_data(as_text=True)
    assert 'name="follow_ups"' in page and "Wiedervorlage" in page
    assert 'id="pref-follow_ups" name="follow_ups" value="y" checked' in page  # on by default
    save_page(client, {"reminders": "y"})  # everything else off, follow-ups too
    assert not wants(app, "ben@example.com", "follow_ups")
    old = follow_up(app, ben, anna, "Steuerfrage", date.today())
    now = utcnow() + timedelta(days=1)
    assert tick(app, now).follow_ups == 0
    assert reminded(app, old) and follow_up_mails(app, "ben@example.com") == 0
    save_page(client, {"follow_ups": "y"})  # on again: no flood of the old one
    assert tick(app, now).follow_ups == 0
    new = follow_up(app, ben, cara, "Angebot", date.today() + timedelta(days=1))
    assert tick(app, now).follow_ups == 1
    assert reminded(app, new)
    deliver(app)
    [mail] = mailbox.wait_for("ben@example.com")
    assert "Cara Conrad: Angebot" in text_of(mail) and "Steuerfrage" not in text_of(mail)


def test_one_click_from_the_mail_switches_follow_up_reminders_off(app, make_user, mailbox):
    ben, _ = make_user("ben@example.com", name="Ben Bauer", locale="en")
    anna, _ = make_user("anna@example.com", name="Anna Schneider")
    cara, _ = make_user("cara@example.com", name="Cara Conrad")
    follow_up(app, ben, anna, "Steuerfrage", date.today())
    assert tick(app, utcnow() + timedelta(days=1)).follow_ups == 1
    deliver(app)
    [mail] = mailbox.wait_for("ben@example.com")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].strip("<>")
    assert url in text_of(mail) and url in mail.get_body(("html",)).get_content()
    path = url.replace("http://localhost", "")
    page = app.test_client().get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "follow up" in page.get_data(as_text=True)
    assert wants(app, "ben@example.com", "follow_ups")  # opening the page changes nothing
    # What a mail client sends (RFC 8058): no cookie, no CSRF token, no login.
    assert app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not wants(app, "ben@example.com", "follow_ups")
    assert wants(app, "ben@example.com", "reminders")  # only this kind
    later = follow_up(app, ben, cara, "Rückruf", date.today() + timedelta(days=2))
    assert tick(app, utcnow() + timedelta(days=3)).follow_ups == 0
    assert reminded(app, later) and follow_up_mails(app, "ben@example.com") == 1
