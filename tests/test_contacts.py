"""After the evening: whom did you meet, mutual confirmation, the window, who may mark."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import RSVP, Contact, ContactEvent, Event, MeetingMark, ProfileVisibility, User
from tests.contacts_world import (
    build_evening,
    client_for,
    contact_names,
    counts,
    mark,
    post,
    text,
)
from tests.helpers import redirects_to


@pytest.fixture
def evening(app, make_user, make_group, add_member, make_event):
    return build_evening(app, make_user, make_group, add_member, make_event)


def test_a_mark_becomes_a_contact_only_when_both_mark(app, evening):
    ids, event = evening["ids"], evening["event"]
    anna, ben, cara = (client_for(app, name) for name in ("anna", "ben", "cara"))
    page = f"/contacts/met/{event}"
    html = text(anna, page)
    assert "Ben Bauer" in html and "Cara Conrad" in html and "Anna Schneider" not in html
    response = mark(anna, event, ids["ben"])
    assert response.headers["Location"].endswith(page)
    assert "Ihre Markierungen bleiben privat" in text(anna, page)
    # One-sided: no contact for anyone; Ben sees only the gentle prompt.
    assert contact_names(anna) == [] and contact_names(ben) == []
    prompt = text(ben, "/contacts/")
    assert "Anna Schneider sagt, Sie haben sich bei Stammtisch am" in prompt
    assert "bestätigen?" in prompt
    assert "Anna" not in text(cara, "/contacts/") and "Sagt, Sie haben sich getroffen" not in (
        text(cara, page))
    assert counts(app)["Contact"] == 0

    response = post(ben, f"/contacts/met/{event}/confirm/{ids['anna']}")
    redirects_to(response, "/contacts/")
    assert contact_names(anna) == ["Ben Bauer"] and contact_names(ben) == ["Anna Schneider"]
    assert contact_names(cara) == []
    assert counts(app) == {"MeetingMark": 0, "Contact": 1, "ContactEvent": 1, "ContactCard": 2}
    listing = text(anna, "/contacts/")
    assert "Unternehmerclub Münster" in listing and "Stammtisch" in listing
    assert "Einmal getroffen" in listing
    # The prompt is answered; on the event's page both are contacts now.
    assert "bestätigen?" not in text(ben, "/contacts/")
    assert 'badge-success">Kontakt<' in text(anna, page)


def test_both_marking_from_the_form_make_exactly_one_contact(app, evening):
    ids, event = evening["ids"], evening["event"]
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    mark(anna, event, ids["ben"], ids["cara"])
    mark(ben, event, ids["anna"])
    mark(ben, event, ids["anna"])  # sent again: nothing new
    assert counts(app) == {"MeetingMark": 1, "Contact": 1, "ContactEvent": 1, "ContactCard": 2}
    with app.app_context():
        left = db.session.scalars(select(MeetingMark)).one()
        assert (left.marker_id, left.marked_id) == (ids["anna"], ids["cara"])


def test_meeting_again_adds_the_event_to_the_same_contact(app, evening):
    ids = evening["ids"]
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    for event in (evening["event"], evening["quiet"]):
        mark(anna, event, ids["ben"])
        mark(ben, event, ids["anna"])
    assert counts(app)["Contact"] == 1 and counts(app)["ContactEvent"] == 2
    listing = text(anna, "/contacts/")
    assert "2-mal getroffen" in listing and "Kaminabend" in listing and "Stammtisch" in listing


def test_unchecking_withdraws_a_mark_and_its_prompt(app, evening):
    ids, event = evening["ids"], evening["event"]
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    mark(anna, event, ids["ben"])
    assert "bestätigen?" in text(ben, "/contacts/")
    mark(anna, event)
    assert "bestätigen?" not in text(ben, "/contacts/")
    assert counts(app)["MeetingMark"] == 0


def test_ignoring_tells_the_marker_nothing(app, evening):
    ids, event = evening["ids"], evening["event"]
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    mark(anna, event, ids["ben"])
    text(anna, "/contacts/")  # the flash message of saving is shown once
    before = _without_tokens(text(anna, f"/contacts/met/{event}"))
    response = post(ben, f"/contacts/met/{event}/ignore/{ids['anna']}")
    redirects_to(response, "/contacts/")
    assert "bestätigen?" not in text(ben, "/contacts/")
    assert _without_tokens(text(anna, f"/contacts/met/{event}")) == before
    assert _without_tokens(text(anna, "/contacts/")).count("Ben") == 0
    # Ben may still change his mind within the window.
    mark(ben, event, ids["anna"])
    assert contact_names(anna) == ["Ben Bauer"]


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


# --- the window -------------------------------------------------------------------

@pytest.mark.parametrize("days", [2, 0, -16])
def test_no_marks_outside_the_window(app, make_user, make_group, add_member, make_event, days):
    """Before the end (tomorrow, tonight) and more than 14 days after: refused."""
    world = build_evening(app, make_user, make_group, add_member, make_event, days=days)
    ids, event = world["ids"], world["event"]
    anna = client_for(app, "anna")
    if days == 0:  # it is going on right now
        with app.app_context():
            row = db.session.get(Event, event)
            row.starts_at = row.starts_at.replace(year=2000)  # well before now
            from meetup.models import utcnow
            row.ends_at = utcnow() + timedelta(hours=1)
            db.session.commit()
    response = anna.get(f"/contacts/met/{event}")
    assert response.status_code == 403
    assert "14 Tage" in response.get_data(as_text=True)
    assert mark(anna, event, ids["ben"]).status_code == 403
    assert post(anna, f"/contacts/met/{event}/confirm/{ids['ben']}").status_code == 403
    assert "Wen haben Sie getroffen?" not in text(anna, f"/events/{event}")
    assert counts(app)["MeetingMark"] == 0


def test_a_prompt_disappears_when_the_window_closes(app, evening):
    ids, event = evening["ids"], evening["event"]
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    mark(anna, event, ids["ben"])
    with app.app_context():
        row = db.session.get(Event, event)
        row.starts_at -= timedelta(days=15)
        row.ends_at -= timedelta(days=15)
        db.session.commit()
    assert "bestätigen?" not in text(ben, "/contacts/")
    assert post(ben, f"/contacts/met/{event}/confirm/{ids['anna']}").status_code == 403
    assert counts(app)["Contact"] == 0


def test_the_event_page_links_only_people_who_were_there(app, evening):
    event = evening["event"]
    link = "Wen haben Sie getroffen?"
    for name in ("anna", "hanna"):
        assert link in text(client_for(app, name), f"/events/{event}")
    for name in ("dora", "wanda", "olaf", "olga", "eve"):
        assert link not in text(client_for(app, name), f"/events/{event}")
    assert link not in text(app.test_client(), f"/events/{event}")


# --- who may mark whom --------------------------------------------------------------

@pytest.mark.parametrize("name", ["dora", "wanda", "olaf", "olga", "eve"])
def test_people_who_were_not_there_cannot_mark(app, evening, name):
    """Going but not checked in (the door was used), waitlisted, absent, the
    organiser who ran the door, someone from another club: 403, never a 500."""
    ids, event = evening["ids"], evening["event"]
    client = client_for(app, name)
    assert client.get(f"/contacts/met/{event}").status_code == 403
    assert mark(client, event, ids["anna"]).status_code == 403
    assert post(client, f"/contacts/met/{event}/confirm/{ids['anna']}").status_code == 403
    assert counts(app)["MeetingMark"] == 0
    # And nobody there can mark them.
    if name != "eve":
        assert mark(client_for(app, "anna"), event, ids[name]).status_code == 422


def test_only_people_of_the_same_event_can_be_marked(app, evening):
    ids = evening["ids"]
    anna, eve = client_for(app, "anna"), client_for(app, "eve")
    response = mark(anna, evening["event"], ids["eve"])  # Eve was elsewhere that evening
    assert response.status_code == 422
    assert "nur Personen markieren, die mit Ihnen bei dieser Veranstaltung" in (
        response.get_data(as_text=True))
    # Eve, at her own event, cannot mark Anna either, nor use Anna's event's URLs.
    assert mark(eve, evening["elsewhere"], ids["anna"]).status_code == 422
    assert mark(eve, evening["event"], ids["anna"]).status_code == 403
    assert counts(app)["MeetingMark"] == 0


def test_a_private_clubs_evening_is_a_404_to_outsiders(app, evening, make_group,
                                                       make_event):
    ids = evening["ids"]
    slug = make_group(ids["olga"], "Geschlossener Kreis", visibility="private",
                      join_policy="invite")
    secret = make_event(slug, title="Geheimtreffen", days=-1, visibility="members")
    eve = client_for(app, "eve")
    assert eve.get(f"/contacts/met/{secret}").status_code == 404
    assert mark(eve, secret, ids["olga"]).status_code == 404
    assert post(eve, f"/contacts/met/{secret}/confirm/{ids['olga']}").status_code == 404


def test_without_a_check_in_everyone_going_was_there(app, evening):
    ids, quiet = evening["ids"], evening["quiet"]
    anna = client_for(app, "anna")
    html = text(anna, f"/contacts/met/{quiet}")
    assert "Ben Bauer" in html and "Dora" not in html
    assert client_for(app, "dora").get(f"/contacts/met/{quiet}").status_code == 403
    redirects_to(mark(anna, quiet, ids["ben"]), f"/contacts/met/{quiet}")


def test_hidden_rsvps_are_listed_only_to_people_checked_in(app, evening):
    ids = evening["ids"]
    anna = client_for(app, "anna")
    assert "Hanna Heimlich" in text(anna, f"/contacts/met/{evening['event']}")
    # At the evening without check-in nobody was demonstrably there: Hanna stays unnamed.
    assert "Hanna" not in text(anna, f"/contacts/met/{evening['quiet']}")
    assert mark(anna, evening["quiet"], ids["hanna"]).status_code == 422
    # Unless she marks Anna herself: then Anna sees her and may confirm.
    hanna = client_for(app, "hanna")
    redirects_to(mark(hanna, evening["quiet"], ids["anna"]), f"/contacts/met/{evening['quiet']}")
    assert "Hanna Heimlich sagt" in text(anna, "/contacts/")
    redirects_to(post(anna, f"/contacts/met/{evening['quiet']}/confirm/{ids['hanna']}"),
                 "/contacts/")
    assert contact_names(anna) == ["Hanna Heimlich"]


def test_people_whose_profile_is_not_visible_are_not_listed(app, evening):
    """Eve joins the club's public evening from outside; Ben shows his profile to
    members only, so Eve neither sees nor marks him — nor he her prompt."""
    ids, event = evening["ids"], evening["event"]
    with app.app_context():
        db.session.add(RSVP(event_id=event, user_id=ids["eve"],
                            checked_in_at=db.session.get(Event, event).starts_at))
        db.session.get(User, ids["ben"]).profile_visibility = ProfileVisibility.MEMBERS
        db.session.get(User, ids["eve"]).profile_visibility = ProfileVisibility.MEMBERS
        db.session.get(User, ids["cara"]).profile_visibility = ProfileVisibility.ATTENDEES
        db.session.commit()
    eve = client_for(app, "eve")
    html = text(eve, f"/contacts/met/{event}")
    assert "Ben Bauer" not in html and "Cara Conrad" in html  # Cara: fellow attendees
    assert mark(eve, event, ids["ben"]).status_code == 422
    assert "Eve" not in text(client_for(app, "ben"), f"/contacts/met/{event}")


def test_crafted_values_in_the_form_get_a_message(app, evening):
    event = evening["event"]
    anna = client_for(app, "anna")
    for value in ("99999999999999999999", "abc", "-1", "0", "1" * 5000):
        response = post(anna, f"/contacts/met/{event}", {"people": value})
        assert response.status_code == 422, value
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert post(anna, f"/contacts/met/{event}", {"people": "a\x00b"}).status_code == 400
    assert anna.get("/contacts/met/99999999999999999999").status_code == 404
    assert post(anna, "/contacts/met/2147483647/confirm/2147483647").status_code == 404
    assert counts(app)["MeetingMark"] == 0


def test_contacts_need_a_login(client, evening):
    for url in ("/contacts/", f"/contacts/met/{evening['event']}", "/contacts/all.vcf",
                f"/contacts/{evening['ids']['ben']}", "/contacts/blocked"):
        response = client.get(url)
        redirects_to(response, f"/auth/login?next={url}")


def test_one_contact_row_per_pair_is_enforced_by_the_database(app, evening):
    ids = evening["ids"]
    with app.app_context():
        low, high = sorted((ids["anna"], ids["ben"]))
        db.session.add(Contact(first_id=low, second_id=high))
        db.session.commit()
        db.session.add(Contact(first_id=low, second_id=high))
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()
        db.session.rollback()
        db.session.add(Contact(first_id=high, second_id=low))  # the pair the other way
        with pytest.raises(Exception, match="(?i)check|ordered_pair"):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(ContactEvent).limit(1)) is None
