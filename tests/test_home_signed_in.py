"""The signed-in home: my next events with my state, my clubs, my applications and
invitations, what waits for me as organiser, the next steps after sign-up, my
follow-ups, relationships and nudges — in a number of statements that does not grow
with any of them."""

from datetime import date, timedelta

from sqlalchemy import select

from meetup.extensions import db
from meetup.groups import invitations
from meetup.models import (
    RSVP,
    Application,
    EventStatus,
    Group,
    RSVPStatus,
    User,
    utcnow,
)
from tests.helpers import log_in, redirects_to, submit
from tests.home_world import answer, connect


def rsvp(app, event_id, user_id, status=RSVPStatus.GOING, minutes=0):
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=user_id, status=status,
                            waitlisted_at=utcnow() - timedelta(hours=1) + timedelta(
                                minutes=minutes) if status == RSVPStatus.WAITLIST else None))
        db.session.commit()


def apply_to(app, slug, user_id):
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        db.session.add(Application(group_id=group.id, user_id=user_id, message="Gern dabei."))
        db.session.commit()


def invite(app, slug, owner_id, email):
    with app.test_request_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        invitation = invitations.create_for_email(group, db.session.get(User, owner_id), email)
        db.session.commit()
        return invitation.token


def test_anonymous_visitors_keep_the_home_page(client):
    html = client.get("/").get_data(as_text=True)
    assert "Lernen Sie die Menschen hinter den Namen kennen" in html
    assert "Ihre nächsten Veranstaltungen" not in html


def test_the_home_shows_my_events_with_my_state(app, client, club, make_user, make_event,
                                               add_member, make_group):
    slug, owner_id = club
    user_id, _ = make_user()
    add_member(slug, user_id)
    going = make_event(slug, "Sommerabend", days=3)
    full = make_event(slug, "Kaminabend", days=5, capacity=1)
    make_event(slug, "Vorbei", days=-3)
    rsvp(app, going, user_id)
    rsvp(app, full, owner_id)
    other_id, _ = make_user("vorne@example.com")
    rsvp(app, full, other_id, RSVPStatus.WAITLIST, minutes=0)
    rsvp(app, full, user_id, RSVPStatus.WAITLIST, minutes=5)
    log_in(client, "mara@example.com")
    html = client.get("/").get_data(as_text=True)
    mine = html.split('id="my-events-heading"')[1].split("</section>")[0]
    assert mine.index("Sommerabend") < mine.index("Kaminabend")
    assert "Sie sind dabei" in mine and "Warteliste, Platz 2" in mine
    assert "Vorbei" not in mine
    clubs = html.split('id="clubs-heading"')[1].split("</section>")[0]
    assert "Unternehmerclub Münster" in clubs
    assert "Nächste Veranstaltungen" in html  # what else is on, as before
    assert "Lernen Sie die Menschen" not in html  # not the marketing page


def test_the_home_shows_applications_invitations_and_what_waits_for_organisers(
        app, client, club, make_user, make_group, make_event, add_member):
    slug, owner_id = club
    leipzig = make_group(owner_id, "Wirtschaftsclub Leipzig", join_policy="approval")
    applicant_id, _ = make_user("bewerber@example.com", name="Bea Bewerber")
    apply_to(app, leipzig, applicant_id)
    invite(app, slug, owner_id, "bewerber@example.com")
    make_event(slug, "Entwurf Sommerfest", days=10, status=EventStatus.DRAFT)
    make_event(slug, "Ort offen", days=12, venue_address="", venue_name="Noch offen")
    make_event(slug, "Alles klar", days=14)
    log_in(client, "bewerber@example.com")
    html = client.get("/").get_data(as_text=True)
    open_items = html.split('id="open-heading"')[1].split("</section>")[0]
    assert "Einladung" in open_items and "Unternehmerclub Münster" in open_items
    assert "Bewerbung gesendet" in open_items and "Wirtschaftsclub Leipzig" in open_items
    assert "Wartet auf Sie" not in html  # not an organiser anywhere

    owner = app.test_client()
    log_in(owner, "owner@example.com")
    html = owner.get("/").get_data(as_text=True)
    todo = html.split('id="todo-heading"')[1].split("</section>")[0]
    assert "1 Bewerbung wartet" in todo and f'href="/groups/{leipzig}/manage/applications"' in todo
    assert "Entwurf Sommerfest" in todo and "Ort offen" in todo and "Alles klar" not in todo
    assert "Ort fehlt" in todo


def test_an_invitation_shows_only_once_the_address_is_confirmed(app, client, club, make_user):
    slug, owner_id = club
    make_user("neu@example.com", verified=False)
    invite(app, slug, owner_id, "neu@example.com")
    log_in(client, "neu@example.com")
    assert 'id="open-heading"' not in client.get("/").get_data(as_text=True)


def test_after_sign_up_the_next_steps_show_until_profile_and_club_are_done(
        app, client, club, make_user, add_member):
    slug, _owner = club
    response = submit(client, "/auth/signup", {"name": "Nina Neu", "email": "nina@example.com",
                                                "password": "ein langes passwort 42"})
    redirects_to(response, "/auth/signup/sent")  # the same answer for a known address
    redirects_to(log_in(client, "nina@example.com", "ein langes passwort 42"), "/")
    html = client.get("/").get_data(as_text=True)
    steps = html.split('id="next-steps-heading"')[1].split("</section>")[0]
    assert "Profil vervollständigen" in steps and "Club finden" in steps
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="nina@example.com"))
        user.headline = "Steuerberaterin für Gründungen"
        db.session.commit()
        user_id = user.id
    steps = client.get("/").get_data(as_text=True).split('id="next-steps-heading"')[1]
    assert "Erledigt" in steps and "Club finden" in steps
    add_member(slug, user_id)
    assert 'id="next-steps-heading"' not in client.get("/").get_data(as_text=True)


def test_the_home_asks_the_database_the_same_number_of_times_for_more_of_everything(
        app, client, count_queries, make_user, make_group, make_event, add_member):
    user_id, _ = make_user()
    owner_id, _ = make_user("owner@example.com")

    def add(n):
        for number in range(n):
            own = make_group(user_id, f"Eigener Club {n}-{number}", join_policy="approval")
            joined = make_group(owner_id, f"Club {n}-{number}")
            add_member(joined, user_id)
            applicant, _ = make_user(f"b{n}-{number}@example.com")
            apply_to(app, own, applicant)
            apply_to(app, make_group(owner_id, f"Fremd {n}-{number}",
                                     join_policy="approval"), user_id)
            invite(app, make_group(owner_id, f"Einladend {n}-{number}"), owner_id,
                   "mara@example.com")
            make_event(own, f"Entwurf {n}-{number}", days=4, status=EventStatus.DRAFT)
            for day in range(n):
                event_id = make_event(joined, f"Abend {n}-{number}-{day}", days=3 + day,
                                      capacity=1)
                rsvp(app, event_id, owner_id)
                rsvp(app, event_id, user_id, RSVPStatus.WAITLIST)
            # Contacts: one met last month, one met long ago (dormant), both with a
            # follow-up due and going to an evening of the club (nudges).
            met = make_event(joined, f"Treffen {n}-{number}", days=-30)
            long_ago = make_event(joined, f"Empfang {n}-{number}", days=-400)
            evening = make_event(joined, f"Ausblick {n}-{number}", days=8 + number)
            for age, when in (("neu", met), ("alt", long_ago)):
                contact_id, _ = make_user(f"{age}{n}-{number}@example.com",
                                          name=f"Kontakt {age} {n}-{number}")
                add_member(joined, contact_id)
                connect(app, user_id, contact_id, when, follow_up=date(2020, 1, 1))
                answer(app, evening, contact_id)

    add(1)
    log_in(client, "mara@example.com")
    with count_queries() as few:
        assert client.get("/").status_code == 200
    add(4)
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
    assert "Warteliste, Platz 1" in html and "Entwurf 4-3" in html and "Einladend 4-3" in html
    assert "Fremd 4-3" in html and "Club 4-3" in html
    assert "Alle fälligen Wiedervorlagen (10)" in html and html.count('class="nudge"') == 3
    assert "5 ruhende Beziehungen" in html and "5 aktive Beziehungen" in html
    assert len(many) == len(few), "\n".join(many)
