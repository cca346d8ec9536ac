"""The demo data: every member a distinct, realistic profile; titles that fit them;
and people to meet for real reasons."""

import re

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Membership, User
from meetup.people.matching import suggest
from meetup.people.preview import person
from tests.helpers import log_in

MONEY = {"tax", "finance"}
PRESS = {"marketing"}


def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def test_every_demo_member_has_a_distinct_complete_profile(app):
    seeded(app)
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert len(users) >= 40
        for user in users:
            assert all((user.company, user.position, user.industry, user.headline,
                        user.city)), user.name
            assert len(user.topics) >= 2 and user.offers and user.needs, user.name
        for field in ("company", "headline"):
            values = [getattr(user, field) for user in users]
            assert len(set(values)) == len(values), field
        profiles = [(tuple(u.topics), tuple(u.offers), tuple(u.needs)) for u in users]
        assert len(set(profiles)) == len(profiles)


def test_titles_fit_the_people_holding_them(app):
    seeded(app)
    with app.app_context():
        titled = db.session.execute(select(Membership.title, User).join(Membership.user)
                                    .where(Membership.title != "")).all()
    assert len(titled) >= 12
    for title, user in titled:
        if title in ("Kassenwart", "Schatzmeister"):
            assert user.industry in MONEY, (title, user.name)
        if title.startswith("Pressesprecher"):
            assert user.industry in PRESS, (title, user.name)


def test_every_demo_member_has_someone_to_meet_for_what_they_offer_or_need(app):
    seeded(app)
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        people = [person(user) for user in users]
    for me in people:
        best = suggest(me, people, limit=1)
        assert best and (best[0].they_need or best[0].they_offer), me.name


def test_the_demo_login_sees_follow_ups_relationships_and_a_nudge_on_her_home(app):
    seeded(app)
    client = app.test_client()
    log_in(client, "anna.schneider@example.com", "treffpunkt-demo")
    html = client.get("/").get_data(as_text=True)
    due = html.split('id="follow-ups-heading"')[1].split("</section>")[0]
    assert due.count("<li>") >= 1 and 'href="/contacts/?due=1"' in due
    relations = html.split('id="relations-heading"')[1].split("</section>")[0]
    assert re.search(r"[1-9]\d* aktive Beziehung", relations)
    assert re.search(r"[1-9]\d* ruhende Beziehung", relations)
    nudges = html.split('id="nudges-heading"')[1].split("</section>")[0]
    assert "nicht gesehen:" in nudges and "(getroffen bei „" in nudges
    assert 1 <= nudges.count('class="nudge"') <= 3
