"""Series: an end always, a preview before saving, the limit, the series page, and
changes to "this", "this and following" and "all" dates with their RSVPs and SEQUENCE."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from meetup.errors import RuleError
from meetup.events import services as editing
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Event,
    EventSeries,
    EventStatus,
    Group,
    RSVPStatus,
    SeriesFrequency,
    User,
)
from meetup.series import rules
from tests.helpers import create_series, hidden_value, log_in, redirects_to, submit

BERLIN = ZoneInfo("Europe/Berlin")
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # "now" for series that began in the past


def day(days: int, hour: int = 19) -> datetime:
    return datetime.combine(date.today() + timedelta(days=days), time(hour))


def event_form(start: datetime, **values) -> dict:
    data = {"title": "Lauftreff", "kind": "stammtisch", "timezone": "Europe/Berlin",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "venue_name": "Aasee", "guests_allowed": "0", "visibility": "public",
            "action": "publish"}
    return {**data, **values}


def make_series(app, slug, owner_id, first_day=-15, count=6, publish=True,
                visibility="public") -> tuple[list[int], int]:
    """A weekly series by the service; by default its first three dates are over."""
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        start = day(first_day)
        events = editing.create(
            group, db.session.get(User, owner_id),
            {"title": "Lauftreff", "venue_name": "Aasee", "visibility": visibility},
            editing.Schedule(start, start + timedelta(hours=2), "Europe/Berlin"), publish,
            rules.Repeat(SeriesFrequency.WEEKLY, count=count), now=LONG_AGO)
        db.session.commit()
        return [event.id for event in events], events[0].series_id


def rows(app, ids):
    with app.app_context():
        events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(ids)))}
        return [events.get(event_id) for event_id in ids]


def answer(app, event_id, user_id, status=RSVPStatus.GOING):
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=user_id, status=status,
                            waitlisted_at=LONG_AGO if status == RSVPStatus.WAITLIST else None))
        db.session.commit()


def rsvp_count(app, ids) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(RSVP.id)).where(RSVP.event_id.in_(ids)))


# --- an end, a preview, a limit -------------------------------------------------------

@pytest.mark.parametrize(("repeat", "dates"), [("weekly", 10), ("monthly_weekday", 12),
                                               ("monthly_day", 12)])
def test_a_series_without_an_end_gets_the_default_number_shown_first(app, client, club,
                                                                     repeat, dates):
    slug, _owner = club
    log_in(client, "owner@example.com")
    url = f"/events/new/{slug}"
    preview, response = create_series(client, url, event_form(day(10), repeat=repeat))
    assert f"Es werden {dates} Termine angelegt:" in preview
    assert f'name="count" type="number" value="{dates}"' in preview  # written into the form
    assert preview.count("<li><time") == dates
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
        series = db.session.get(EventSeries, events[0].series_id)
        assert len(events) == dates and series.count == dates
    redirects_to(response, f"/events/{events[0].id}")


def test_the_preview_names_first_and_last_date_and_saves_nothing(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    start = datetime(2099, 1, 5, 19)  # a Monday
    url = f"/events/new/{slug}"
    response = submit(client, url, event_form(start, repeat="weekly", count="10"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Es werden 10 Termine angelegt: 5. Jan. 2099 … 9. März 2099" in html
    assert "Mo., 5. Jan. 2099" not in html and "Mo., 5. Januar 2099, 19:00" in html
    assert _count(app, Event) == 0 and _count(app, EventSeries) == 0
    # A field changed after the preview: the new dates are shown, not saved.
    changed = {**event_form(start, repeat="weekly", count="3"),
               "csrf_token": hidden_value(html, "csrf_token"),
               "confirm": hidden_value(html, "confirm")}
    again = client.post(url, data=changed).get_data(as_text=True)
    assert "Es werden 3 Termine angelegt: 5. Jan. 2099 … 19. Jan. 2099" in again
    assert _count(app, Event) == 0
    # Confirmed as drafts, exactly the dates shown.
    response = client.post(url, data={**changed, "confirm": hidden_value(again, "confirm"),
                                      "action": "draft"})
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert [e.starts_at.astimezone(BERLIN).day for e in events] == [5, 12, 19]
    assert {e.status for e in events} == {EventStatus.DRAFT}
    redirects_to(response, f"/events/{events[0].id}")


def test_the_preview_in_english(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", event_form(
        datetime(2099, 1, 5, 19), repeat="weekly", count="10"),
        headers={"Accept-Language": "en"})
    assert "10 dates will be created: 5 Jan 2099 … 9 Mar 2099" in response.get_data(
        as_text=True)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_a_series_of_500_dates_is_refused(app, client, club):
    slug, owner_id = club
    log_in(client, "owner@example.com")
    url = f"/events/new/{slug}"
    response = submit(client, url, event_form(day(10), repeat="weekly", count="500"))
    assert response.status_code == 422
    error = response.get_data(as_text=True).split('id="count-error"')[1].split("</p>")[0]
    assert "höchstens 104 Termine" in error
    # An end date that far off is refused with the number it would have made.
    response = submit(client, url, event_form(day(10), repeat="weekly", until=(
        day(10) + timedelta(weeks=499)).date().isoformat()))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Diese Reihe hätte 500 Termine; eine Reihe kann höchstens 104 haben." in html.split(
        'id="until-error"')[1]
    assert _count(app, Event) == 0 and _count(app, EventSeries) == 0
    with app.test_request_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        with pytest.raises(RuleError, match="500"):
            editing.create(group, db.session.get(User, owner_id), {"title": "Lauftreff"},
                           editing.Schedule(day(10), day(10, 21), "Europe/Berlin"), True,
                           rules.Repeat(SeriesFrequency.WEEKLY, count=500))
        with pytest.raises(RuleError, match="ein Ende"):
            rules.occurrences(day(10), rules.Repeat(SeriesFrequency.WEEKLY))
    assert len(rules.occurrences(day(10), rules.Repeat(SeriesFrequency.WEEKLY, count=104))) \
        == rules.MAX_OCCURRENCES


def test_an_end_date_and_a_number_together_are_refused(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", event_form(
        day(10), repeat="weekly", count="4", until=day(40).date().isoformat()))
    assert response.status_code == 422
    assert "entweder einen letzten Termin oder eine Anzahl" in response.get_data(as_text=True)


def test_an_empty_end_time_is_two_hours_after_the_start(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", event_form(day(10), ends_at=""))
    with app.app_context():
        event = db.session.scalar(select(Event))
    redirects_to(response, f"/events/{event.id}")
    assert event.ends_at - event.starts_at == timedelta(hours=2)


def test_the_repeat_fields_are_in_a_part_css_reveals_and_the_form_explains_the_end(
        client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    html = client.get(f"/events/new/{slug}").get_data(as_text=True)
    details = html.split('class="series-details"')[1].split("</fieldset>")[0]
    assert 'name="count"' in details and 'name="until"' in details
    assert "10 Termine bei wöchentlicher und 12 bei monatlicher" in html
    assert "Leer: zwei Stunden nach dem Beginn." in html


# --- the series page and the event page -----------------------------------------------

def test_the_series_page_lists_every_date_with_its_answers(app, client, club, make_user,
                                                          count_queries):
    slug, owner_id = club
    ids, series_id = make_series(app, slug, owner_id)
    guest_id, _ = make_user("gast@example.com")
    answer(app, ids[3], owner_id)
    answer(app, ids[3], guest_id, RSVPStatus.WAITLIST)
    html = client.get(f"/series/{series_id}").get_data(as_text=True)
    assert html.count('<li class="series-date') == 6
    assert "1 Person ist dabei · 1 auf der Warteliste" in html
    assert html.count("Vorbei") == 3
    weekday = day(-15).strftime("%A")
    names = {"Monday": "Montag", "Tuesday": "Dienstag", "Wednesday": "Mittwoch",
             "Thursday": "Donnerstag", "Friday": "Freitag", "Saturday": "Samstag",
             "Sunday": "Sonntag"}
    assert f"Jeden {names[weekday]} · 6 Termine" in html
    # Each date's page links to the series.
    page = client.get(f"/events/{ids[4]}").get_data(as_text=True)
    assert f"Teil einer Reihe: jeden {names[weekday]}" in page
    assert f'href="/series/{series_id}">alle 6 Termine</a>' in page
    # The page does not ask more of the database for more dates.
    with count_queries() as few:
        client.get(f"/series/{series_id}")
    _more, more_series = make_series(app, slug, owner_id, count=30)
    answer(app, _more[20], guest_id)
    with count_queries() as many:
        client.get(f"/series/{more_series}")
    assert len(many) == len(few)


def test_series_pages_show_only_what_the_visitor_may_see(app, client, club, make_user,
                                                        add_member):
    slug, owner_id = club
    _ids, members_only = make_series(app, slug, owner_id, visibility="members")
    _ids, drafts = make_series(app, slug, owner_id, publish=False)
    assert client.get(f"/series/{members_only}").status_code == 404
    assert client.get(f"/series/{drafts}").status_code == 404
    assert client.get("/series/999999").status_code == 404
    member_id, _ = make_user()
    add_member(slug, member_id)
    log_in(client, "mara@example.com")
    assert client.get(f"/series/{members_only}").status_code == 200
    assert client.get(f"/series/{drafts}").status_code == 404
    assert "Mehrere Termine ändern" not in client.get(f"/series/{members_only}").get_data(
        as_text=True)
    page = f"/series/{members_only}"
    response = submit(client, f"{page}/cancel", {"first": "1", "scope": "all",
                                                 "reason": "x"}, page=page)
    assert response.status_code == 403


# --- edit, cancel, delete: this, following, all ----------------------------------------

def test_edit_this_and_following_and_all_keep_rsvps_and_raise_sequence(app, client, club,
                                                                      make_user):
    slug, owner_id = club
    ids, _series = make_series(app, slug, owner_id)
    guest_id, _ = make_user("gast@example.com")
    for event_id in ids[3:]:
        answer(app, event_id, guest_id)
    log_in(client, "owner@example.com")
    fifth = rows(app, ids)[4]
    start = fifth.starts_at.astimezone(BERLIN).replace(tzinfo=None)
    response = submit(client, f"/events/{ids[4]}/edit", event_form(
        start + timedelta(hours=1), title="Lauftreff am Abend", scope="following"))
    redirects_to(response, f"/events/{ids[4]}")
    after = rows(app, ids)
    assert [e.title for e in after] == ["Lauftreff"] * 4 + ["Lauftreff am Abend"] * 2
    assert [e.sequence for e in after] == [0, 0, 0, 0, 1, 1]
    assert [e.starts_at.astimezone(BERLIN).hour for e in after] == [19] * 4 + [20] * 2
    # "All": every date not over yet; past dates stay as they happened.
    html = client.get(f"/events/{ids[4]}/edit?scope=all").get_data(as_text=True)
    assert '<input checked id="scope-2" name="scope" type="radio" value="all">' in html
    response = submit(client, f"/events/{ids[4]}/edit", event_form(
        start, title="Lauftreff (neu)", scope="all"))
    after = rows(app, ids)
    assert [e.title for e in after] == ["Lauftreff"] * 3 + ["Lauftreff (neu)"] * 3
    assert [e.sequence for e in after] == [0, 0, 0, 1, 2, 2]
    assert [e.starts_at.astimezone(BERLIN).date() for e in after] == [
        day(-15 + 7 * n).date() for n in range(6)]
    assert rsvp_count(app, ids) == 3


def test_cancel_following_and_all_from_the_series_page(app, client, club, make_user):
    slug, owner_id = club
    ids, series_id = make_series(app, slug, owner_id)
    guest_id, _ = make_user("gast@example.com")
    for event_id in ids:
        answer(app, event_id, guest_id)
    log_in(client, "owner@example.com")
    page = f"/series/{series_id}"
    response = submit(client, f"{page}/cancel", {"first": str(ids[4]), "scope": "following",
                                                 "reason": "  "}, page=page)
    assert response.status_code == 422
    assert "Bitte nennen Sie kurz einen Grund." in response.get_data(as_text=True)
    response = submit(client, f"{page}/cancel", {"first": str(ids[4]), "scope": "following",
                                                 "reason": "Der Aasee wird saniert."},
                      page=page)
    redirects_to(response, page)
    after = rows(app, ids)
    assert [e.status for e in after] == [EventStatus.PUBLISHED] * 4 + [EventStatus.CANCELLED] * 2
    assert [e.sequence for e in after] == [0, 0, 0, 0, 1, 1]
    assert after[5].cancel_reason == "Der Aasee wird saniert."
    assert rsvp_count(app, ids) == 6  # people keep their answers and see the cancellation
    ics = client.get(f"/events/{ids[5]}.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    html = client.get(page).get_data(as_text=True)
    assert html.count("Der Aasee wird saniert.") == 2 and html.count(">Abgesagt<") == 2
    assert html.count("1 Person hatte zugesagt") == 2 and html.count("1 Person ist dabei") == 4
    # "All" from the second date: only what is not over, and each date once.
    submit(client, f"{page}/cancel", {"first": str(ids[3]), "scope": "all",
                                      "reason": "Saison beendet."}, page=page)
    after = rows(app, ids)
    assert [e.status for e in after] == [EventStatus.PUBLISHED] * 3 + [EventStatus.CANCELLED] * 3
    assert [e.sequence for e in after] == [0, 0, 0, 1, 1, 1]
    assert after[5].cancel_reason == "Der Aasee wird saniert."


def test_only_drafts_are_deleted_all_or_nothing(app, client, club, make_user):
    slug, owner_id = club
    published, published_series = make_series(app, slug, owner_id, first_day=3, count=4)
    log_in(client, "owner@example.com")
    page = f"/series/{published_series}"
    response = submit(client, f"{page}/delete", {"first": str(published[1]),
                                                 "scope": "following"}, page=page)
    assert response.status_code == 409
    assert "3 dieser Termine sind veröffentlicht. Sagen Sie sie stattdessen ab" in \
        response.get_data(as_text=True)
    assert all(rows(app, published))
    drafts, series_id = make_series(app, slug, owner_id, first_day=3, count=4, publish=False)
    page = f"/series/{series_id}"
    submit(client, f"{page}/publish", {"first": str(drafts[3]), "scope": "this"}, page=page)
    response = submit(client, f"{page}/delete", {"first": str(drafts[1]), "scope": "all"},
                      page=page)
    assert response.status_code == 409  # the published fourth date keeps all of them
    assert "1 dieser Termine ist veröffentlicht" in response.get_data(as_text=True)
    assert all(rows(app, drafts))
    response = submit(client, f"{page}/delete", {"first": str(drafts[1]), "scope": "this"},
                      page=page)
    redirects_to(response, page)
    assert rows(app, drafts)[1] is None
    submit(client, f"/series/{published_series}/cancel", {
        "first": str(published[0]), "scope": "all", "reason": "Abgesagt."},
        page=f"/series/{published_series}")
    response = submit(client, f"{page}/delete", {"first": str(drafts[0]), "scope": "following"},
                      page=page)
    assert response.status_code == 409
    # Drafts only: the series goes with its last date.
    _drafts, only_drafts = make_series(app, slug, owner_id, first_day=3, count=3,
                                       publish=False)
    page = f"/series/{only_drafts}"
    response = submit(client, f"{page}/delete", {"first": str(_drafts[0]), "scope": "all"},
                      page=page)
    redirects_to(response, f"/groups/{slug}")
    assert rows(app, _drafts) == [None, None, None]
    with app.app_context():
        assert db.session.get(EventSeries, only_drafts) is None


def test_a_date_of_another_series_is_refused(app, client, club):
    slug, owner_id = club
    _ids, series_id = make_series(app, slug, owner_id, first_day=3, count=2, publish=False)
    other, _other_series = make_series(app, slug, owner_id, first_day=3, count=2,
                                       publish=False)
    log_in(client, "owner@example.com")
    page = f"/series/{series_id}"
    response = submit(client, f"{page}/delete", {"first": str(other[0]), "scope": "all"},
                      page=page)
    assert response.status_code == 422
    assert all(rows(app, other))
    response = submit(client, f"{page}/publish", {"first": "abc", "scope": "nonsense"},
                      page=page)
    assert response.status_code == 422


def test_a_series_in_the_past_is_refused_before_any_preview(app, client, club):
    slug, _owner = club
    log_in(client, "owner@example.com")
    response = submit(client, f"/events/new/{slug}", event_form(day(-3), repeat="weekly"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="series-preview"' not in html
    assert "Der Beginn muss in der Zukunft liegen." in html.split('id="starts_at-error"')[1]
