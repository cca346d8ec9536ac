"""Two people mark each other at the same moment: exactly one contact, never none
and never two — over HTTP, against two app processes sharing one database, while
the CPU is busy (the same set-up as tests/test_race.py)."""

from datetime import timedelta

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Contact,
    ContactCard,
    ContactEvent,
    Event,
    Group,
    MeetingMark,
    Membership,
    User,
    utcnow,
)
from tests.helpers import default_password_hash, redirects_to
from tests.test_race import Visitor, busy_cpu, run_together, server  # noqa: F401 - fixtures

PAIRS = 8


def test_pairs_marking_each_other_at_once_get_one_contact_each(app, server, make_user,  # noqa: F811
                                                                make_group, make_event):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    event_id = make_event(slug, title="Stammtisch", days=-1)
    quiet_id = make_event(slug, title="Kaminabend", days=-2)  # no check-in: going counts
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
        start = db.session.get(Event, event_id).starts_at
        people = []
        for number in range(2 * PAIRS):
            user = User(email=f"p{number}@example.com", name=f"Person {number}",
                        password_hash=default_password_hash(), email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(group_id=group_id, user_id=user.id))
            db.session.add(RSVP(event_id=event_id, user_id=user.id,
                                checked_in_at=start + timedelta(minutes=number)))
            if number < 2:
                db.session.add(RSVP(event_id=quiet_id, user_id=user.id))
            people.append((user.id, user.email))
        db.session.commit()

    # Every pair marks each other at the first evening; the first pair also at the
    # second evening at the same moment (one contact, two events).
    jobs = [(event_id, index, index ^ 1) for index in range(2 * PAIRS)]
    jobs += [(quiet_id, 0, 1), (quiet_id, 1, 0)]
    visitors = [Visitor(server) for _ in jobs]
    tokens = [None] * len(jobs)

    def prepare(n):
        event, me, _partner = jobs[n]
        visitors[n].log_in(people[me][1])
        tokens[n] = visitors[n].csrf(f"/contacts/met/{event}")

    run_together(len(jobs), prepare)
    statuses = [None] * len(jobs)

    def submit(n):
        event, _me, partner = jobs[n]
        statuses[n] = visitors[n].post(f"/contacts/met/{event}", {
            "csrf_token": tokens[n], "people": str(people[partner][0])})

    run_together(len(jobs), submit)
    for (event, _me, _partner), reply in zip(jobs, statuses, strict=True):
        redirects_to(reply, f"/contacts/met/{event}")

    with app.app_context():
        def count(model):
            return db.session.scalar(select(func.count()).select_from(model))

        assert count(Contact) == PAIRS
        assert count(ContactCard) == 2 * PAIRS
        assert count(ContactEvent) == PAIRS + 1
        assert count(MeetingMark) == 0
        pairs = {(c.first_id, c.second_id) for c in db.session.scalars(select(Contact))}
        assert pairs == {(people[i][0], people[i + 1][0]) for i in range(0, 2 * PAIRS, 2)}
