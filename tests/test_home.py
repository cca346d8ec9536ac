"""The home page: upcoming events the visitor may see, in a constant number of queries."""

from datetime import datetime

from meetup.extensions import db
from meetup.models import RSVP, EventStatus, User
from tests.helpers import log_in


def test_home_shows_only_what_the_visitor_may_see(client, make_user, make_group, add_member,
                                                  make_event):
    user_id, _ = make_user()
    owner_id, _ = make_user("owner@example.com")
    public = make_group(owner_id, "Offener Club")
    private = make_group(owner_id, "Geheimer Kreis", visibility="private", join_policy="invite")
    make_event(public, "Offener Stammtisch", days=3)
    make_event(public, "Mitgliederabend", days=3, visibility="members")
    make_event(public, "Entwurf", days=3, status=EventStatus.DRAFT)
    make_event(public, "Vergangen", days=-3)
    make_event(private, "Geheimes Treffen", days=3)
    add_member(private, user_id)

    html = client.get("/").get_data(as_text=True)
    assert "Offener Stammtisch" in html
    for hidden in ("Mitgliederabend", "Entwurf", "Vergangen", "Geheimes Treffen",
                   "Geheimer Kreis"):
        assert hidden not in html

    log_in(client, "mara@example.com")
    html = client.get("/").get_data(as_text=True)
    assert "Offener Stammtisch" in html and "Geheimes Treffen" in html
    assert "Mitgliederabend" not in html and "Entwurf" not in html


def test_event_card_shows_time_in_the_events_zone_and_language(client, club, make_event):
    slug, _owner = club
    # 19:00 in Berlin in summer is 17:00 UTC.
    make_event(slug, "Sommerabend", datetime(2099, 7, 7, 19), hours=2.5)
    html = client.get("/").get_data(as_text=True)
    assert "Di., 7. Juli 2099, 19:00–21:30 Uhr" in html
    assert 'datetime="2099-07-07T19:00+02:00"' in html
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tue, 7 July 2099, 7:00\u2009–\u20099:30\u202fpm" in html


def test_an_evening_past_midnight_names_both_days(client, club, make_event):
    slug, _owner = club
    make_event(slug, "Lange Nacht", datetime(2099, 7, 7, 20), hours=5.5)  # until 01:30
    html = client.get("/").get_data(as_text=True)
    assert "Di., 7. Juli 2099, 20:00 – Mi., 8. Juli 2099, 01:30" in html
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tue, 7 July 2099, 8:00 pm – Wed, 8 July 2099, 1:30 am" in html


def test_home_query_count_does_not_grow_with_events_or_attendees(app, client, count_queries,
                                                                club, make_group, make_event):
    _slug, owner_id = club

    def add(n):
        slug = make_group(owner_id, f"Club {n}")
        for i in range(n):
            event_id = make_event(slug, f"Abend {n}-{i}", days=3)
            with app.app_context():
                for j in range(n):
                    user = User(email=f"p{n}-{i}-{j}@example.com", name="P", password_hash="x")
                    db.session.add(user)
                    db.session.flush()
                    db.session.add(RSVP(event_id=event_id, user_id=user.id))
                db.session.commit()

    add(1)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    add(5)
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
    assert "Abend 5-4" in html and "5 Personen sind dabei" in html
    assert len(many) == len(few)
