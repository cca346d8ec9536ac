"""Events: time zones, series, organiser actions, bad input, access, browsing, counts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from meetup.errors import RuleError
from meetup.events import services as editing
from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, Group, RSVPStatus, SeriesFrequency, User
from tests.helpers import create_series, log_in, redirects_to, submit

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


def future(days=30, hour=19) -> datetime:
    return datetime.combine(date.today() + timedelta(days=days), datetime.min.time()).replace(
        hour=hour)


def form_for(start: datetime, hours=3, **values) -> dict:
    data = {"title": "Stammtisch", "kind": "stammtisch", "timezone": "Europe/Berlin",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
            "venue_name": "Rathaus", "venue_address": "Prinzipalmarkt 10, 48143 Münster",
            "guests_allowed": "0", "visibility": "public", "action": "publish"}
    return {**data, **values}


def events_of(app, slug):
    with app.app_context():
        return db.session.scalars(select(Event).join(Event.group).where(Group.slug == slug)
                                  .order_by(Event.starts_at)).all()


def created(app, slug, response) -> Event:
    """The one event of the group, made by the form that gave ``response``,
    which leads to the event's page."""
    events = events_of(app, slug)
    assert len(events) == 1, response.get_data(as_text=True)[:500]
    redirects_to(response, f"/events/{events[0].id}")
    return events[0]


@pytest.mark.parametrize(("day", "utc_hour"), [
    (date(2027, 3, 27), 18),  # Saturday before the spring switch: CET, UTC+1
    (date(2027, 3, 28), 17),  # the switch day itself: CEST, UTC+2
    (date(2027, 10, 30), 17),  # the day before the autumn switch: CEST
    (date(2027, 10, 31), 18),  # the autumn switch day: CET again
])
def test_19_00_berlin_is_stored_in_utc_and_shown_as_19_00(app, client, club, day, utc_hour):
    slug, _owner = club
    log_in(client, "owner@example.com")
    start = datetime.combine(day, datetime.min.time()).replace(hour=19)
    response = submit(client, f"/events/new/{slug}", form_for(start))
    event = created(app, slug, response)
    assert event.starts_at == datetime.combine(day, datetime.min.time()).replace(
        hour=utc_hour, tzinfo=UTC)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "19:00–22:00 Uhr" in html
    assert f'datetime="{day.isoformat()}T19:00' in html


def test_a_monthly_series_keeps_19_00_local_across_both_switches(app, club):
    slug, owner_id = club
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        schedule = editing.Schedule(datetime(2027, 1, 5, 19), datetime(2027, 1, 5, 22),
                                    "Europe/Berlin")
        repeat = editing.Repeat(SeriesFrequency.MONTHLY_WEEKDAY, count=12)
        events = editing.create(group, db.session.get(User, owner_id), {"title": "Stammtisch"},
                                schedule, publish=True, repeat=repeat,
                                now=datetime(2026, 12, 1, tzinfo=UTC))
        db.session.commit()
        local = [e.starts_at.astimezone(BERLIN) for e in events]
    # Every first Tuesday of 2027 at 19:00 local, summer and winter alike.
    assert [d.day for d in local] == [5, 2, 2, 6, 4, 1, 6, 3, 7, 5, 2, 7]
    assert all(d.weekday() == 1 and (d.hour, d.minute) == (19, 0) for d in local)
    assert {e.starts_at.hour for e in events} == {17, 18}  # UTC shifts, local does not


def test_weekly_every_two_weeks_until_a_date(app, club):
    slug, owner_id = club
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        start = future(days=3)
        events = editing.create(
            group, db.session.get(User, owner_id), {"title": "Lauftreff"},
            editing.Schedule(start, start + timedelta(hours=1), "Europe/Berlin"), True,
            editing.Repeat(SeriesFrequency.WEEKLY, interval=2,
                           until=(start + timedelta(weeks=6)).date()))
        assert [e.starts_at.astimezone(BERLIN).replace(tzinfo=None) for e in events] == [
            start + timedelta(weeks=n) for n in (0, 2, 4, 6)]


def test_monthly_on_a_day_skips_short_months(app, club):
    with app.app_context():
        starts = editing.occurrences(datetime(2027, 1, 31, 19),
                                     editing.Repeat(SeriesFrequency.MONTHLY_DAY, count=4))
    assert [(d.month, d.day) for d in starts] == [(1, 31), (3, 31), (5, 31), (7, 31)]


def test_create_a_series_over_http_and_edit_this_and_following(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    start = future(days=10)
    preview, response = create_series(client, f"/events/new/{slug}", form_for(
        start, repeat="weekly", interval="1", count="4"))
    assert "Es werden 4 Termine angelegt" in preview
    events = events_of(app, slug)
    assert len(events) == 4 and len({e.series_id for e in events}) == 1
    redirects_to(response, f"/events/{events[0].id}")  # the first date of the series
    third = events[2]
    response = submit(client, f"/events/{third.id}/edit", form_for(
        start + timedelta(weeks=2, hours=1), title="Stammtisch (neu)", scope="following"))
    redirects_to(response, f"/events/{third.id}")
    after = events_of(app, slug)
    assert [e.title for e in after] == ["Stammtisch", "Stammtisch", "Stammtisch (neu)",
                                        "Stammtisch (neu)"]
    assert [e.starts_at.astimezone(BERLIN).hour for e in after] == [19, 19, 20, 20]
    assert [e.starts_at.astimezone(BERLIN).date() for e in after] == [
        (start + timedelta(weeks=n)).date() for n in range(4)]
    assert [e.sequence for e in after] == [0, 0, 1, 1]
    # "This one" only.
    submit(client, f"/events/{after[0].id}/edit", form_for(start, title="Auftakt", scope="this"))
    assert [e.title for e in events_of(app, slug)][:2] == ["Auftakt", "Stammtisch"]


@pytest.mark.parametrize(("change", "message"), [
    ({"ends_at": "2020-01-01T10:00"}, "Das Ende muss nach dem Beginn liegen."),
    ({"starts_at": "2020-01-01T19:00", "ends_at": "2020-01-01T22:00"},
     "Der Beginn muss in der Zukunft liegen."),
    ({"timezone": "Europe/Atlantis"}, "Zeitzone aus der Liste"),
    ({"capacity": "-5"}, "Bitte geben Sie 1 bis 100.000 Plätze an."),
    ({"guests_allowed": "-1"}, "Zwischen 0 und 20."),
    ({"venue_name": "", "online_url": ""}, "einen Ort oder einen Online-Link"),
    ({"title": "   "}, "Titel"),
    ({"online_url": "keine url"}, "vollständige Adresse"),
    ({"online_url": "javascript://example.org/%0aalert(1)"}, "vollständige Adresse"),
])
def test_event_form_bad_input_changes_nothing(app, client, club, change, message):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", form_for(future(), **change))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert events_of(app, slug) == []


def test_members_cannot_create_events(app, client, club, make_user, add_member):
    slug, _owner = club
    user_id, _ = make_user()
    add_member(slug, user_id)
    log_in(client, "mara@example.com")
    assert client.get(f"/events/new/{slug}").status_code == 403
    assert submit(client, f"/events/new/{slug}", form_for(future()), page="/").status_code == 403
    assert events_of(app, slug) == []


def test_cancel_keeps_the_event_visible_and_raises_sequence(app, client, club, make_event):
    slug, _owner = club
    event_id = make_event(slug)
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}"
    response = submit(client, f"{page}/cancel", {"reason": "  "}, page=page)
    assert response.status_code == 422
    assert "Bitte nennen Sie kurz einen Grund." in response.get_data(as_text=True)
    response = submit(client, f"{page}/cancel", {"reason": "Der Wirt ist krank."}, page=page)
    redirects_to(response, page)
    html = client.get(page).get_data(as_text=True)
    assert "Abgesagt" in html and "Der Wirt ist krank." in html
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.status, event.sequence) == (EventStatus.CANCELLED, 1)
    # Published or cancelled events cannot be deleted.
    response = submit(client, f"{page}/delete", {}, page=page, follow_redirects=True)
    assert "Nur Entwürfe können gelöscht werden" in response.get_data(as_text=True)
    assert len(events_of(app, slug)) == 1


def test_drafts_are_hidden_publishable_and_deletable(app, client, club, make_event,
                                                    make_user, add_member):
    slug, _owner = club
    draft = make_event(slug, title="Geheimplan", status=EventStatus.DRAFT)
    member_id, _ = make_user()
    add_member(slug, member_id)
    member = app.test_client()
    log_in(member, "mara@example.com")
    assert member.get(f"/events/{draft}").status_code == 404
    assert "Geheimplan" not in member.get("/events/").get_data(as_text=True)
    log_in(client, "owner@example.com")
    assert "Geheimplan" in client.get(f"/groups/{slug}").get_data(as_text=True)
    submit(client, f"/events/{draft}/publish", {}, page=f"/events/{draft}")
    assert member.get(f"/events/{draft}").status_code == 200
    second = make_event(slug, title="Verworfen", status=EventStatus.DRAFT)
    submit(client, f"/events/{second}/delete", {}, page=f"/events/{second}")
    assert [e.title for e in events_of(app, slug)] == ["Geheimplan"]


def test_duplicate_makes_a_draft_a_week_later(app, client, club, make_event):
    slug, _owner = club
    event_id = make_event(slug, capacity=20)
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/{event_id}/duplicate", {}, page=f"/events/{event_id}")
    original, copy = events_of(app, slug)
    redirects_to(response, f"/events/{copy.id}/edit")
    assert copy.status == EventStatus.DRAFT and copy.capacity == 20
    assert copy.starts_at.astimezone(BERLIN) - original.starts_at.astimezone(BERLIN) == \
        timedelta(weeks=1)
    assert copy.starts_at.astimezone(BERLIN).hour == 19


def test_online_link_only_for_people_going(app, client, club, make_event, make_user,
                                          add_member):
    slug, _owner = club
    event_id = make_event(slug, online_url="https://meet.example.org/abc")
    user_id, _ = make_user()
    add_member(slug, user_id)
    log_in(client, "mara@example.com")
    page = f"/events/{event_id}"
    assert "meet.example.org" not in client.get(page).get_data(as_text=True)
    submit(client, f"{page}/rsvp", {"answer": "yes"}, page=page)
    assert "meet.example.org/abc" in client.get(page).get_data(as_text=True)


def test_event_page_shows_the_viewers_zone_when_it_differs(app, client, club, make_event,
                                                          make_user):
    slug, _owner = club
    event_id = make_event(slug)
    make_user(email="ny@example.com")
    with app.app_context():
        db.session.scalar(select(User).filter_by(email="ny@example.com")).timezone = \
            "America/New_York"
        db.session.commit()
    log_in(client, "ny@example.com")
    html = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "19:00–22:00 Uhr" in html and "(Deutschland – Berlin; " in html
    assert ", Vereinigte Staaten – New York)" in html  # zones named for people
    assert "13:00–16:00 Uhr" in html or "14:00–17:00 Uhr" in html


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_members_only_events_are_invisible_to_outsiders(app, client, club, make_event,
                                                       make_user, make_group, who):
    slug, owner_id = club
    secret = make_event(slug, title="Vorstandsabend", visibility="members")
    private_slug = make_group(owner_id, "Geheimer Kreis", visibility="private",
                              join_policy="invite")
    hidden = make_event(private_slug, title="Kaminabend", visibility="members")
    if who == "outsider":
        make_user()
        log_in(client, "mara@example.com")
    for event_id in (secret, hidden):
        assert client.get(f"/events/{event_id}").status_code == 404
        ticket = client.get(f"/events/{event_id}/ticket")
        if who == "anonymous":
            redirects_to(ticket, f"/auth/login?next=/events/{event_id}/ticket")
        else:
            assert ticket.status_code == 404
    for url in ["/", "/events/", "/events/?q=vorstand", "/events/?q=kamin",
                f"/groups/{slug}", "/events/?group=geheimer-kreis"]:
        html = client.get(url).get_data(as_text=True)
        assert "Vorstandsabend" not in html and "Kaminabend" not in html, url
    if who == "outsider":
        response = submit(client, f"/events/{secret}/rsvp", {"answer": "yes"}, page="/")
        assert response.status_code == 404
        with app.app_context():
            assert db.session.scalar(select(func.count(RSVP.id))) == 0


def test_members_see_members_only_events_in_lists(app, client, club, make_event, make_user,
                                                 add_member):
    slug, _owner = club
    make_event(slug, title="Vorstandsabend", visibility="members")
    user_id, _ = make_user()
    add_member(slug, user_id)
    log_in(client, "mara@example.com")
    assert "Vorstandsabend" in client.get("/events/?q=vorstand").get_data(as_text=True)


def test_non_members_may_rsvp_only_to_public_events_of_public_groups(app, client, club,
                                                                    make_event, make_user):
    slug, _owner = club
    public = make_event(slug)
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, f"/events/{public}/rsvp", {"answer": "yes"},
                      page=f"/events/{public}")
    redirects_to(response, f"/events/{public}")
    with app.app_context():
        assert db.session.scalar(select(RSVP.status)) == RSVPStatus.GOING


def test_browse_filters(app, client, club, make_event, make_user, make_group):
    slug, owner_id = club
    other = make_group(owner_id, "Wirtschaftsclub Leipzig", city="Leipzig")
    make_event(slug, title="Stammtisch Münster", days=3)
    make_event(other, title="Vortrag Leipzig", days=5, kind="talk",
               description="Über **Fachkräfte**")
    make_event(slug, title="Sommerfest", days=60, kind="evening")

    def titles(query):
        html = client.get(f"/events/?{query}").get_data(as_text=True)
        return {t for t in ("Stammtisch Münster", "Vortrag Leipzig", "Sommerfest") if t in html}

    assert titles("") == {"Stammtisch Münster", "Vortrag Leipzig", "Sommerfest"}
    assert titles("city=Leipzig") == {"Vortrag Leipzig"}
    assert titles(f"group={slug}") == {"Stammtisch Münster", "Sommerfest"}
    assert titles("kind=talk") == {"Vortrag Leipzig"}
    assert titles("q=fachkr%C3%A4fte") == {"Vortrag Leipzig"}  # description
    assert titles("q=WIRTSCHAFTSCLUB") == {"Vortrag Leipzig"}  # group name
    to = (date.today() + timedelta(days=30)).isoformat()
    assert titles(f"date_to={to}") == {"Stammtisch Münster", "Vortrag Leipzig"}
    since = (date.today() + timedelta(days=30)).isoformat()
    assert titles(f"date_from={since}") == {"Sommerfest"}


def test_event_page_and_list_queries_do_not_grow(app, client, club, make_event, make_user,
                                                 add_member, count_queries):
    slug, _owner = club
    user_id, _ = make_user()
    add_member(slug, user_id)
    log_in(client, "mara@example.com")

    def fill(events, attendees):
        ids = [make_event(slug, title=f"Abend {n}", days=2 + n) for n in range(events)]
        with app.app_context():
            group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
            for number in range(attendees):
                person = User(email=f"a{events}-{number}@example.com", name=f"A {number}",
                              password_hash="x")
                db.session.add(person)
                db.session.flush()
                db.session.add(RSVP(event_id=ids[0], user_id=person.id, guests=number % 2))
                from meetup.models import Membership
                db.session.add(Membership(group_id=group_id, user_id=person.id))
            db.session.commit()
        return ids[0]

    small = fill(5, 3)
    with count_queries() as few_page:
        client.get(f"/events/{small}")
    with count_queries() as few_list:
        client.get("/events/")
    big = fill(50, 300)
    with count_queries() as many_page:
        html = client.get(f"/events/{big}").get_data(as_text=True)
    assert "450 Personen sind dabei" in html
    with count_queries() as many_list:
        client.get("/events/")
    assert len(many_page) == len(few_page)
    assert len(many_list) == len(few_list)


def test_a_series_ending_before_it_starts_is_refused_and_the_form_kept(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    start = future(days=10)
    page = f"/events/new/{slug}"
    response = submit(client, page, form_for(
        start, title="Lauftreff", repeat="weekly", interval="1",
        until=(start - timedelta(days=7)).date().isoformat()), page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Reihe muss am ersten Termin oder danach enden." in html
    assert 'value="Lauftreff"' in html and "Termine der Reihe sind gespeichert" not in html
    assert "gespeichert" not in client.get("/").get_data(as_text=True)  # no flash left over
    assert events_of(app, slug) == []
    with app.app_context():
        from meetup.models import EventSeries
        assert db.session.scalar(select(func.count(EventSeries.id))) == 0


def test_a_series_without_dates_is_refused_by_the_service(app, club):
    slug, owner_id = club
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        start = future(days=3)
        with pytest.raises(RuleError):
            editing.create(group, db.session.get(User, owner_id), {"title": "Lauftreff"},
                           editing.Schedule(start, start + timedelta(hours=1), "Europe/Berlin"),
                           True, editing.Repeat(SeriesFrequency.WEEKLY,
                                                until=(start - timedelta(days=1)).date()))


@pytest.mark.parametrize("zone", ["localtime", "Factory", "Etc/GMT+5", "US/Eastern", "CET",
                                  "posix/Europe/Berlin"])
def test_only_zones_of_real_places_are_accepted(app, client, club, zone):
    slug, _owner = club
    log_in(client, "owner@example.com")
    html = client.get(f"/events/new/{slug}").get_data(as_text=True)
    assert f'value="{zone}"' not in html and 'value="Europe/Berlin"' in html
    response = submit(client, f"/events/new/{slug}", form_for(future(), timezone=zone))
    assert response.status_code == 422
    assert "Zeitzone aus der Liste" in response.get_data(as_text=True)
    assert events_of(app, slug) == []


@pytest.mark.parametrize("zone", ["UTC", "America/Argentina/Buenos_Aires", "Asia/Kolkata"])
def test_place_zones_and_utc_are_accepted(app, client, club, zone):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", form_for(future(), timezone=zone))
    assert created(app, slug, response).timezone == zone


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2027-03-28T02:30", "2027-03-28T04:00", "starts_at"),
    ("2027-03-28T01:00", "2027-03-28T02:30", "ends_at"),
])
def test_a_time_the_clocks_skip_is_refused_next_to_the_field(app, client, club, start, end,
                                                            field):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", form_for(
        future(), title="Nachtlauf", starts_at=start, ends_at=end))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert "gibt es in dieser Zeitzone nicht" in error
    assert 'value="Nachtlauf"' in html
    assert events_of(app, slug) == []


def test_the_repeated_hour_in_october_asks_which_one_is_meant(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    page = f"/events/new/{slug}"
    data = form_for(future(), starts_at="2027-10-31T02:30", ends_at="2027-10-31T04:00")
    response = submit(client, page, data, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "gibt es in dieser Nacht zweimal" in html.split('id="starts_at-error"')[1]
    # The choice appears only for the ambiguous time.
    assert 'name="starts_at_fold"' in html and 'name="ends_at_fold"' not in html
    assert "02:30 CEST (UTC+02:00)" in html and "02:30 CET (UTC+01:00)" in html
    assert events_of(app, slug) == []
    assert 'name="starts_at_fold"' not in client.get(page).get_data(as_text=True)
    submit(client, page, {**data, "starts_at_fold": "1"}, page=page)
    submit(client, page, {**data, "title": "Früh", "starts_at_fold": "0"}, page=page)
    utc = {e.title: e.starts_at for e in events_of(app, slug)}
    assert utc == {"Stammtisch": datetime(2027, 10, 31, 1, 30, tzinfo=UTC),  # winter time
                   "Früh": datetime(2027, 10, 31, 0, 30, tzinfo=UTC)}  # summer time
    # Editing shows the stored choice and keeps it.
    winter = next(e for e in events_of(app, slug) if e.title == "Stammtisch")
    html = client.get(f"/events/{winter.id}/edit").get_data(as_text=True)
    assert '<input checked id="starts_at_fold-1"' in html
    response = submit(client, f"/events/{winter.id}/edit",
                      {**data, "starts_at_fold": "1", "title": "Spät"})
    redirects_to(response, f"/events/{winter.id}")
    assert db_event(app, winter.id).starts_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_the_end_may_be_the_second_time_of_the_repeated_hour(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", form_for(
        future(), starts_at="2027-10-31T02:45", starts_at_fold="0",
        ends_at="2027-10-31T02:15", ends_at_fold="1"))
    event = created(app, slug, response)
    assert event.ends_at - event.starts_at == timedelta(minutes=30)


def db_event(app, event_id):
    with app.app_context():
        return db.session.get(Event, event_id)


@pytest.mark.parametrize("change", [
    {"starts_at": "2101-01-01T19:00", "ends_at": "2101-01-01T22:00"},
    {"rsvp_opens_at": "0001-01-01T00:00"},
    {"rsvp_closes_at": "9999-12-31T23:59"},
    {"ends_at": "9999-12-31T23:59"},
    {"repeat": "weekly", "until": "9999-12-31"},
])
def test_dates_outside_2000_to_2100_get_a_message(app, client, club, change):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", form_for(future(), **change),
                      page=f"/events/new/{slug}")
    assert response.status_code == 422
    assert "Bitte geben Sie ein Datum zwischen 2000 und 2100 ein." in response.get_data(
        as_text=True)
    assert events_of(app, slug) == []


def test_editing_with_a_date_far_off_gets_a_message(app, client, club, make_event):
    slug, _owner = club
    event_id = make_event(slug)
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/{event_id}/edit", form_for(
        future(), rsvp_opens_at="0001-01-01T00:00"))
    assert response.status_code == 422
    assert "zwischen 2000 und 2100" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("date_from=0001-01-01", "date_from", "zwischen 2000 und 2100"),
    ("date_to=9999-12-31", "date_to", "zwischen 2000 und 2100"),
    ("date_from=2027-05-02&date_to=2027-05-01", "date_to", "darf nicht vor"),
])
@pytest.mark.parametrize("zone", [None, "America/Los_Angeles", "Pacific/Kiritimati"])
def test_browsing_with_odd_dates_says_so_next_to_the_field(app, client, club, make_event,
                                                          make_user, query, field, message,
                                                          zone):
    slug, _owner = club
    make_event(slug, title="Stammtisch Münster")
    if zone:
        make_user("la@example.com")
        with app.app_context():
            db.session.scalar(select(User).filter_by(email="la@example.com")).timezone = zone
            db.session.commit()
        log_in(client, "la@example.com")
    response = client.get(f"/events/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert 'aria-invalid="true"' in html
