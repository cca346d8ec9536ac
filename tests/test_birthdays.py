"""Contacts' birthdays in the personal feed (``?birthdays=1``): yearly all-day
events, read by three independent readers; the profile fields behind them."""

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import icalendar
import pytest
import vobject

from meetup.calendar import feeds
from meetup.extensions import db
from meetup.models import User
from tests.contacts_world import post, text
from tests.intro_world import build, client_for, set_user

JS = Path(__file__).parent / "js"


@pytest.fixture
def web(app, make_user, make_group, add_member, make_event):
    world = build(app, make_user, make_group, add_member, make_event)
    ids = world["ids"]
    set_user(app, ids["ben"], birthday_day=29, birthday_month=2)  # a contact of Anna's
    set_user(app, ids["dana"], birthday_day=17, birthday_month=7)  # a contact of Anna's
    set_user(app, ids["tina"], birthday_day=1, birthday_month=1)  # not her contact
    with app.app_context():
        world["feed"] = f"/calendar/{feeds.new_token(db.session.get(User, ids['anna']))}.ics"
        db.session.commit()
    return world


def birthdays_by_icalendar(data: bytes) -> dict[str, tuple]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["summary"]): (e.decoded("dtstart"), e.decoded("dtend"),
                                e["rrule"]["FREQ"][0])
            for e in calendar.walk("VEVENT") if "RRULE" in e}


def test_the_feed_holds_contacts_birthdays_only_when_asked(app, web, client):
    assert "Geburtstag" not in client.get(web["feed"]).get_data(as_text=True)
    response = client.get(web["feed"] + "?birthdays=1")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert birthdays_by_icalendar(response.data) == {
        "Geburtstag: Ben Bauer": (date(2000, 2, 29), date(2000, 3, 1), "YEARLY"),
        "Geburtstag: Dana Dorn": (date(2000, 7, 17), date(2000, 7, 18), "YEARLY")}
    again = client.get(web["feed"] + "?birthdays=1",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    set_user(app, web["ids"]["dana"], birthday_day=18)
    changed = client.get(web["feed"] + "?birthdays=1",
                         headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200
    assert birthdays_by_icalendar(changed.data)["Geburtstag: Dana Dorn"][0] == date(2000, 7, 18)


def test_vobject_reads_the_birthdays_as_yearly_all_day_events(app, web, client):
    calendar = vobject.readOne(client.get(web["feed"] + "?birthdays=1").get_data(as_text=True))
    found = {e.summary.value: e for e in calendar.vevent_list if hasattr(e, "rrule")}
    ben = found["Geburtstag: Ben Bauer"]
    assert ben.dtstart.value == date(2000, 2, 29) and ben.rrule.value == "FREQ=YEARLY"
    assert list(ben.getrruleset())[24].date() == date(2096, 2, 29)  # leap years only


def test_icaljs_reads_the_birthdays(app, web, client):
    if not shutil.which("node") or not (JS / "node_modules" / "ical.js").exists():
        pytest.skip("Node.js or ical.js missing (make test installs ical.js)")
    data = client.get(web["feed"] + "?birthdays=1").data
    result = subprocess.run(["node", str(JS / "read_ics.mjs")], input=data,
                            capture_output=True, check=True, timeout=60)
    events = {e["summary"]: e for e in json.loads(result.stdout)["events"]}
    assert events["Geburtstag: Dana Dorn"]["localStart"] == "2000-07-17"
    assert events["Geburtstag: Dana Dorn"]["localEnd"] == "2000-07-18"
    assert "Geburtstag: Tina Steuer" not in events


def test_in_english_for_an_english_owner(app, web, client):
    set_user(app, web["ids"]["anna"], locale="en")
    assert "Birthday: Ben Bauer" in client.get(web["feed"] + "?birthdays=1").get_data(
        as_text=True)


def test_the_profile_form_takes_phone_and_birthday_and_refuses_a_day_that_does_not_exist(
        app, web):
    anna = client_for(app, "anna")
    bad = post(anna, "/people/me", {"birthday_day": "31", "birthday_month": "4",
                                         "profile_visibility": "members"},
               page="/people/me")
    assert bad.status_code == 422
    assert "Tag und einen Monat" in bad.get_data(as_text=True)
    good = post(anna, "/people/me", {"birthday_day": "4", "birthday_month": "3",
                                          "phone": "+49 251 123456",
                                          "profile_visibility": "members"},
                page="/people/me")
    assert good.status_code == 302
    with app.app_context():
        user = db.session.get(User, web["ids"]["anna"])
        assert (user.birthday_day, user.birthday_month, user.phone) == (4, 3, "+49 251 123456")
    # Ben, her contact, gets them in his vCard 4.0; the year is never there.
    card = vobject.readOne(text(client_for(app, "ben"),
                                f"/contacts/{web['ids']['anna']}.vcf?version=4.0"))
    assert card.tel.value == "+49 251 123456" and card.bday.value == "--0304"
    assert "+49 251 123456" in text(client_for(app, "ben"), f"/contacts/{web['ids']['anna']}")


@pytest.mark.parametrize("fields", [{"birthday_month": "13", "birthday_day": "1"},
                                    {"birthday_month": "x", "birthday_day": "1"},
                                    {"birthday_day": "0", "birthday_month": "1"},
                                    {"birthday_day": "12"}, {"phone": "call me"},
                                    {"birthday_day": "9" * 30, "birthday_month": "9" * 30},
                                    {"birthday_day": "1", "birthday_month": "9" * 30}])
def test_bad_birthdays_and_phones_get_a_message_not_an_error(app, web, fields):
    anna = client_for(app, "anna")
    response = post(anna, "/people/me", {"profile_visibility": "members", **fields},
                    page="/people/me")
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)
