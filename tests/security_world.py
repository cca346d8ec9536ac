"""Two clubs for the attack-surface tests: Alice's (the visitor's own) and Bob's
(someone else's, private). Every kind of object a URL can name exists in both, so
a route can be called once with Alice's ids and once with one of Bob's."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Application,
    Ban,
    Contact,
    ContactCard,
    Event,
    EventSeries,
    EventStatus,
    Group,
    Invitation,
    Membership,
    ProfileVisibility,
    SeriesFrequency,
    User,
    utcnow,
)

ATTACKER = "alice@example.com"


@dataclass
class World:
    own: dict = field(default_factory=dict)  # URL argument -> a value of Alice's
    foreign: dict = field(default_factory=dict)  # URL argument -> a value of Bob's


def build(app, make_user, make_group, add_member, make_event) -> World:
    """Alice owns the public Alpha-Club; Bob owns the private Beta-Kreis."""
    alice, _ = make_user(ATTACKER, name="Alice Angreifer")
    bob, _ = make_user("bob@example.com", name="Bob Besitzer")
    people = {name: make_user(f"{name}@example.com", name=name.title())[0]
              for name in ("carl", "dora", "erik", "fritz", "gina", "hugo")}
    alpha = make_group(alice, "Alpha-Club")
    beta = make_group(bob, "Beta-Kreis", visibility="private", join_policy="approval")
    world = World()
    world.own["slug"], world.foreign["slug"] = alpha, beta
    world.own["membership_id"] = add_member(alpha, people["fritz"])
    world.foreign["membership_id"] = add_member(beta, people["carl"])
    add_member(alpha, people["gina"])
    own_event = make_event(alpha, title="Alpha-Abend", days=-1, hours=2)
    foreign_event = make_event(beta, title="Beta-Abend", visibility="members", days=-1,
                               hours=2)
    make_event(beta, title="Beta-Entwurf", status=EventStatus.DRAFT)
    world.own["event_id"], world.foreign["event_id"] = own_event, foreign_event
    with app.app_context():  # each evening is a date of its club's series
        for side, slug, event_id in ((world.own, alpha, own_event),
                                     (world.foreign, beta, foreign_event)):
            group = db.session.scalar(select(Group).filter_by(slug=slug))
            series = EventSeries(group_id=group.id, frequency=SeriesFrequency.WEEKLY, count=1)
            db.session.add(series)
            db.session.flush()
            db.session.get(Event, event_id).series_id = side["series_id"] = series.id
        db.session.commit()
    with app.app_context():
        groups = {g.slug: g for g in db.session.scalars(select(Group))}
        bob_user = db.session.get(User, bob)
        bob_user.profile_visibility = ProfileVisibility.MEMBERS
        for slug, user, event in ((alpha, people["gina"], own_event),
                                  (beta, people["carl"], foreign_event)):
            group = groups[slug]
            db.session.add(RSVP(event_id=event, user_id=user))
            app_row = Application(group_id=group.id, user_id=people["dora" if slug == beta
                                                                      else "hugo"],
                                  message="Hallo")
            owner = bob if slug == beta else alice
            ban = Ban(group_id=group.id, user_id=people["erik"] if slug == beta
                      else people["dora"], banned_by_id=owner)
            invitation = Invitation(group_id=group.id, token=f"tok-{slug}",
                                    expires_at=utcnow() + timedelta(days=7),
                                    created_by_id=owner)
            db.session.add_all([app_row, ban, invitation])
            db.session.flush()
            side = world.foreign if slug == beta else world.own
            side["application_id"], side["ban_id"] = app_row.id, ban.id
            side["invitation_id"] = invitation.id
        # Alice's contact is Gina; Bob's is Carl (they met at the Beta evening).
        for owner, other in ((alice, people["gina"]), (bob, people["carl"])):
            low, high = sorted((owner, other))
            contact = Contact(first_id=low, second_id=high)
            db.session.add(contact)
            db.session.flush()
            db.session.add_all([
                ContactCard(contact_id=contact.id, owner_id=owner, other_id=other,
                            note="privat"),
                ContactCard(contact_id=contact.id, owner_id=other, other_id=owner)])
        db.session.add(RSVP(event_id=foreign_event, user_id=bob))
        db.session.commit()
    world.own["user_id"], world.foreign["user_id"] = people["gina"], bob
    return world


def snapshot(app) -> dict:
    """What Bob's side holds; an attack must leave it exactly as it was."""
    with app.app_context():
        beta = db.session.scalar(select(Group).filter_by(slug="beta-kreis"))

        def rows(model, *columns, **where):
            return sorted(db.session.execute(select(*columns).filter_by(**where)).all())

        return {
            "group": rows(Group, Group.name, Group.slug, Group.description, id=beta.id),
            "memberships": rows(Membership, Membership.user_id, Membership.role,
                                Membership.title, group_id=beta.id),
            "applications": rows(Application, Application.user_id, Application.status,
                                 group_id=beta.id),
            "bans": rows(Ban, Ban.user_id, group_id=beta.id),
            "invitations": rows(Invitation, Invitation.token, Invitation.revoked_at,
                                group_id=beta.id),
            "events": sorted(db.session.execute(select(
                Event.title, Event.status, Event.capacity, Event.starts_at).where(
                Event.group_id == beta.id)).all()),
            "rsvps": sorted(db.session.execute(select(
                RSVP.user_id, RSVP.status, RSVP.checked_in_at).join(Event).where(
                Event.group_id == beta.id)).all()),
            "cards": rows(ContactCard, ContactCard.owner_id, ContactCard.other_id,
                          ContactCard.note),
            "contacts": db.session.scalar(select(func.count(Contact.id))),
        }
