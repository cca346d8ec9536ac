"""The contacts evening (tests/contacts_world.py) with everything a person can
leave behind: Anna's own data, and Ben's private data about Anna, which must
never reach Anna's export. Every string of Ben's own carries SECRET."""

from datetime import timedelta

from sqlalchemy import select

from meetup.extensions import db
from meetup.groups.services import slugify
from meetup.models import (
    Application,
    Block,
    Contact,
    ContactCard,
    ContactEvent,
    ContactTag,
    Event,
    Group,
    Invitation,
    MeetingMark,
    Membership,
    OutboxMessage,
    OutboxState,
    User,
    utcnow,
)
from meetup.notify import outbox
from tests.contacts_world import build_evening

SECRET = "BEN-SECRET"


def build(app, make_user, make_group, add_member, make_event) -> dict:
    world = build_evening(app, make_user, make_group, add_member, make_event)
    ids, event = world["ids"], world["event"]
    with app.test_request_context():
        anna, ben = db.session.get(User, ids["anna"]), db.session.get(User, ids["ben"])
        _profiles(anna, ben)
        _contact(ids, event)
        _marks_and_blocks(ids, event)
        _club_things(world, ids)
        _mails(anna, ben)
        db.session.commit()
    return world


def _profiles(anna: User, ben: User) -> None:
    anna.headline, anna.company, anna.bio = "Steuerberaterin", "Schneider StB", "Über mich"
    anna.topics = ["Steuern", "Nachfolge"]
    ben.headline, ben.company = f"{SECRET}-headline", f"{SECRET}-company"
    ben.bio, ben.topics = f"{SECRET}-bio", [f"{SECRET}-topic"]
    ben.profile_visibility = "signed_in"


def _contact(ids: dict, event: int) -> None:
    contact = Contact(first_id=ids["anna"], second_id=ids["ben"])
    db.session.add(contact)
    db.session.flush()
    db.session.add(ContactEvent(contact_id=contact.id, event_id=event))
    mine = ContactCard(contact_id=contact.id, owner_id=ids["anna"], other_id=ids["ben"],
                       note="Annas Notiz: Ben fragen wegen Nachfolge",
                       follow_up_on=utcnow().date() + timedelta(days=3))
    his = ContactCard(contact_id=contact.id, owner_id=ids["ben"], other_id=ids["anna"],
                      note=f"{SECRET}-note about Anna Schneider")
    db.session.add_all([mine, his])
    db.session.flush()
    db.session.add_all([ContactTag(card_id=mine.id, name="Annas-Tag"),
                        ContactTag(card_id=his.id, name=f"{SECRET}-tag")])


def _marks_and_blocks(ids: dict, event: int) -> None:
    db.session.add_all([
        # Anna marked Dora, who chose "ignore": Anna must never learn that.
        MeetingMark(event_id=event, marker_id=ids["anna"], marked_id=ids["dora"],
                    dismissed_at=utcnow()),
        MeetingMark(event_id=event, marker_id=ids["cara"], marked_id=ids["anna"]),
        # Ben's own mark of someone else, and his block of Anna: his business alone.
        MeetingMark(event_id=event, marker_id=ids["ben"], marked_id=ids["hanna"]),
        Block(blocker_id=ids["ben"], blocked_id=ids["anna"]),
        Block(blocker_id=ids["anna"], blocked_id=ids["eve"]),
    ])


def _club_things(world: dict, ids: dict) -> None:
    club = db.session.scalar(select(Group).filter_by(slug=world["club"]))
    other = db.session.scalar(select(Group).filter_by(slug=slugify("Anderer Club")))
    membership = db.session.scalar(select(Membership).filter_by(
        group_id=club.id, user_id=ids["anna"]))
    membership.title = "Kassiererin"
    db.session.add(Application(group_id=other.id, user_id=ids["anna"],
                               message="Ich möchte gern dabei sein."))
    db.session.add(Invitation(group_id=other.id, token="tok-anna", email="anna@example.com",
                              name="Anna Schneider", max_uses=1,
                              expires_at=utcnow() + timedelta(days=5)))
    db.session.get(Event, world["event"]).description = "Mit Ben und anderen"


def _mails(anna: User, ben: User) -> None:
    sent = outbox.queue(anna.email, "reset_password", "de", kind="reset_password",
                        key=f"user:{anna.id}", user=anna, link="http://localhost/x")
    sent.state, sent.sent_at = OutboxState.SENT, utcnow()
    # A mail to Ben that names Anna, in its sender and text.
    about = outbox.queue(ben.email, "reset_password", "de", kind="test_about_anna",
                         key=f"user:{ben.id}", user=ben, link="http://localhost/y",
                         sender_name="Anna Schneider via Treffpunkt")
    about.body_text += "\nAnna Schneider (anna@example.com) hat Sie erwähnt.\n"
    about.subject = f"{SECRET}-subject"


def mails_to(app, email: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).filter_by(recipient=email)))
        for row in rows:
            db.session.expunge(row)
        return rows
