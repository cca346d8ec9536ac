"""A small web of confirmed contacts for the introduction tests.

Anna (the searcher) met Ben twice and Dana once. Ben knows Tina (tax advisor),
Hugo (tax advisor with a profile for fellow attendees only), Olaf (tax advisor
who switched introductions off), Bert (tax advisor who blocked Anna) and Cara.
Cara knows Zoe, who offers customs law (Zollrecht): a path of three hops.
Mia, a tax advisor, only marked Ben (never confirmed): no contact. Everyone
but Hugo is a member of the club, so their profiles are visible to Anna.
"""


from meetup.extensions import db
from meetup.models import (
    Block,
    Contact,
    ContactCard,
    ContactEvent,
    MeetingMark,
    ProfileVisibility,
    User,
)
from tests.contacts_world import client_for, email

PEOPLE = {"anna": "Anna Schneider", "ben": "Ben Bauer", "dana": "Dana Dorn",
          "tina": "Tina Steuer", "hugo": "Hugo Hidden", "olaf": "Olaf Off", "bert": "Bert Block",
          "cara": "Cara Conrad", "zoe": "Zoe Zoll", "mia": "Mia Marked", "owner": "Olga Orga"}
TAX = {"industry": "tax", "position": "Steuerberater/in"}  # the code of the industry
PROFILES = {"tina": {**TAX, "company": "Kanzlei Steuer & Partner"}, "hugo": TAX, "olaf": TAX,
            "bert": TAX, "mia": TAX, "zoe": {"offers": ["Zollrecht", "Außenhandel"]}}
LINKS = [("anna", "ben", 2), ("anna", "dana", 1), ("ben", "tina", 1), ("ben", "hugo", 1),
         ("ben", "olaf", 1), ("ben", "bert", 1), ("ben", "cara", 3), ("cara", "zoe", 1)]


def link(app, a: int, b: int, events: list[int]) -> None:
    """A confirmed contact of ``a`` and ``b`` who met at ``events``."""
    first, second = sorted((a, b))
    with app.app_context():
        contact = Contact(first_id=first, second_id=second)
        db.session.add(contact)
        db.session.flush()
        for event_id in events:
            db.session.add(ContactEvent(contact_id=contact.id, event_id=event_id))
        for owner, other in ((first, second), (second, first)):
            db.session.add(ContactCard(contact_id=contact.id, owner_id=owner, other_id=other))
        db.session.commit()


def build(app, make_user, make_group, add_member, make_event, locale=None) -> dict:
    ids = {key: make_user(email(key), name=name, locale=locale)[0]
           for key, name in PEOPLE.items()}
    club = make_group(ids["owner"], "Unternehmerclub Münster")
    for key in PEOPLE:
        if key not in ("owner", "hugo"):
            add_member(club, ids[key])
    events = [make_event(club, title=f"Stammtisch {n}", days=-10 * n) for n in (1, 2, 3)]
    with app.app_context():
        for key, values in PROFILES.items():
            for name, value in values.items():
                setattr(db.session.get(User, ids[key]), name, value)
        db.session.get(User, ids["hugo"]).profile_visibility = ProfileVisibility.ATTENDEES
        db.session.get(User, ids["olaf"]).allow_introductions = False
        db.session.add(Block(blocker_id=ids["bert"], blocked_id=ids["anna"]))
        db.session.add(MeetingMark(event_id=events[0], marker_id=ids["mia"], marked_id=ids["ben"]))
        db.session.commit()
    for a, b, count in LINKS:
        link(app, ids[a], ids[b], events[:count])
    return {"ids": ids, "club": club, "events": events}


def set_user(app, user_id: int, **values) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


__all__ = ["build", "client_for", "link", "set_user"]
