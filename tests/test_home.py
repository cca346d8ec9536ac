"""The home page: upcoming events the visitor may see, in a constant number of queries."""

from datetime import timedelta

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    EventVisibility,
    Group,
    Membership,
    User,
    Visibility,
    utcnow,
)
from tests.conftest import login


def add_group(slug, visibility=Visibility.PUBLIC):
    group = Group(slug=slug, name=slug.title(), city="Münster", visibility=visibility)
    db.session.add(group)
    db.session.flush()
    return group


def add_event(group, title, days=3, **values):
    start = utcnow() + timedelta(days=days)
    event = Event(group=group, title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                  venue_name="Rathaus", **values)
    db.session.add(event)
    db.session.flush()
    return event


def test_home_shows_only_what_the_visitor_may_see(app, client, make_user):
    user_id, _ = make_user()
    with app.app_context():
        public = add_group("offener-club")
        private = add_group("geheimer-kreis", Visibility.PRIVATE)
        add_event(public, "Offener Stammtisch")
        add_event(public, "Mitgliederabend", visibility=EventVisibility.MEMBERS)
        add_event(public, "Entwurf", status=EventStatus.DRAFT)
        add_event(public, "Vergangen", days=-3)
        add_event(private, "Geheimes Treffen")
        db.session.add(Membership(group_id=private.id, user_id=user_id))
        db.session.commit()

    html = client.get("/").get_data(as_text=True)
    assert "Offener Stammtisch" in html
    for hidden in ("Mitgliederabend", "Entwurf", "Vergangen", "Geheimes Treffen",
                   "Geheimer-Kreis"):
        assert hidden not in html

    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "Offener Stammtisch" in html and "Geheimes Treffen" in html
    assert "Mitgliederabend" not in html and "Entwurf" not in html


def test_event_card_shows_time_in_the_events_zone_and_language(app, client):
    with app.app_context():
        group = add_group("club")
        event = add_event(group, "Sommerabend", timezone="Europe/Berlin")
        # 17:00 UTC in summer is 19:00 in Berlin.
        event.starts_at = event.starts_at.replace(year=2099, month=7, day=7, hour=17, minute=0)
        event.ends_at = event.starts_at + timedelta(hours=2, minutes=30)
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Di., 7. Juli 2099, 19:00–21:30 Uhr" in html
    assert 'datetime="2099-07-07T19:00+02:00"' in html
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tue, 7 July 2099, 7:00\u2009–\u20099:30\u202fpm" in html


def test_an_evening_past_midnight_names_both_days(app, client):
    with app.app_context():
        group = add_group("club")
        event = add_event(group, "Lange Nacht", timezone="Europe/Berlin")
        event.starts_at = event.starts_at.replace(year=2099, month=7, day=7, hour=18, minute=0)
        event.ends_at = event.starts_at + timedelta(hours=5, minutes=30)  # 01:30 Berlin
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Di., 7. Juli 2099, 20:00 – Mi., 8. Juli 2099, 01:30" in html
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tue, 7 July 2099, 8:00 pm – Wed, 8 July 2099, 1:30 am" in html


def test_home_query_count_does_not_grow_with_events_or_attendees(app, client, count_queries):
    def add(n):
        with app.app_context():
            group = add_group(f"club-{n}")
            for i in range(n):
                event = add_event(group, f"Abend {n}-{i}")
                for j in range(n):
                    user = User(email=f"p{n}-{i}-{j}@example.com", name="P", password_hash="x")
                    db.session.add(user)
                    db.session.flush()
                    db.session.add(RSVP(event_id=event.id, user_id=user.id))
            db.session.commit()

    add(1)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    add(5)
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
    assert "Abend 5-4" in html and "5 Personen sind dabei" in html
    assert len(many) == len(few)
