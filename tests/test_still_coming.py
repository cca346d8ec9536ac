""""Still coming?" 48 hours before: two signed links that work without logging in,
once, until the event starts, only for their person and event; releasing the seat
promotes the next party on the waitlist at once, who gets the mail with the invitation."""

from datetime import timedelta

import icalendar
import pytest
from itsdangerous import URLSafeTimedSerializer

from meetup.notify import still_coming
from meetup.security import InvalidToken, make_token
from tests.helpers import log_in
from tests.notify_world import deliver, links, move, people_going, starts, status_of, tick
from tests.test_notifications import answer, calendar_of, member

PEOPLE = [("anna@example.com", "Anna Schneider", None), ("jens@example.com", "Jens Weber", "en")]


@pytest.fixture
def asked(app, club, make_user, add_member, make_event, mailbox):
    """A full event (two seats, both going, Mara waiting) 47 hours before its start,
    after the tick: the "Still coming?" mails have arrived. Returns the event and
    each person's {action: link}."""
    event = make_event(club[0], capacity=2)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    answer(member(app, make_user, add_member, club[0], "mara@example.com", "Mara Klein"), event)
    assert tick(app, starts(app, event) - timedelta(hours=47)).still_coming == 2
    deliver(app)
    found = {}
    for email, _name, _locale in PEOPLE:
        [mail] = [m for m in mailbox.wait_for(email, count=3)
                  if "Stammtisch" in m["Subject"] and "?" in m["Subject"]]
        yes, release = [link for link in links(mail) if "/still-coming/" in link]
        found[email] = {"yes": yes.replace("http://localhost", ""),
                        "release": release.replace("http://localhost", ""), "mail": mail}
    return event, found


def test_the_mail_asks_in_the_persons_language(asked):
    _event, found = asked
    assert found["anna@example.com"]["mail"]["Subject"] == "Kommen Sie noch? Stammtisch"
    assert found["jens@example.com"]["mail"]["Subject"] == "Still coming? Stammtisch"
    text = found["anna@example.com"]["mail"].get_body(("plain",)).get_content()
    assert "Ja, ich komme" in text and "Platz freigeben" in text
    assert found["anna@example.com"]["mail"]["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click")


def test_releasing_promotes_the_next_in_line_and_mails_them(app, asked, mailbox):
    event, found = asked
    visitor = app.test_client()  # nobody logged in, no session, no CSRF token
    page = visitor.get(found["anna@example.com"]["release"])
    assert page.status_code == 200 and "Platz freigeben" in page.get_data(as_text=True)
    assert status_of(app, event, "anna@example.com") == "going"  # opening changes nothing
    done = app.test_client().post(found["anna@example.com"]["release"])
    assert done.status_code == 200
    assert status_of(app, event, "anna@example.com") == "not_going"
    assert status_of(app, event, "mara@example.com") == "going"
    deliver(app)
    promoted = mailbox.wait_for("mara@example.com", count=2)[-1]
    assert promoted["Subject"] == "Ein Platz ist für Sie frei: Stammtisch"
    _part, calendar, _reader = calendar_of(promoted)
    assert calendar["METHOD"] == "REQUEST"
    withdrawn = mailbox.wait_for("anna@example.com", count=4)[-1]
    assert icalendar.Calendar.from_ical(
        calendar_of(withdrawn)[0].get_payload(decode=True))["METHOD"] == "CANCEL"


def test_a_link_works_once_and_the_other_link_of_the_mail_then_not(app, asked):
    event, found = asked
    anna = found["anna@example.com"]
    assert app.test_client().post(anna["yes"]).status_code == 200
    assert status_of(app, event, "anna@example.com") == "going"
    again = app.test_client().post(anna["yes"])
    assert again.status_code == 409
    assert "bereits verwendet" in again.get_data(as_text=True)
    assert app.test_client().post(anna["release"]).status_code == 409
    assert app.test_client().get(anna["release"]).status_code == 409
    assert status_of(app, event, "anna@example.com") == "going"


def test_links_cannot_be_forged_or_used_for_another_event_or_action(app, asked, make_event,
                                                                   club):
    event, found = asked
    release = found["anna@example.com"]["release"]
    prefix, token = release.rsplit("/", 1)
    client = app.test_client()
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post(f"{prefix}/{tampered}").status_code == 400
    other = make_event(club[0], title="Sommerfest")
    assert client.post(release.replace(f"/{event}/", f"/{other}/")).status_code == 400
    assert client.post(release.replace("/release/", "/yes/")).status_code == 400
    # Someone writing a link for Jens: with another key, or another purpose's token.
    payload = {"u": 2, "e": event, "v": 0, "a": "release"}
    foreign = URLSafeTimedSerializer("not-our-secret", salt="meetup.still-coming").dumps(payload)
    assert client.post(f"{prefix}/{foreign}").status_code == 400
    with app.app_context():
        other_purpose = make_token("unsubscribe", payload)
    assert client.post(f"{prefix}/{other_purpose}").status_code == 400
    for email in ("anna@example.com", "jens@example.com"):
        assert status_of(app, event, email) == "going"


def test_a_link_is_bound_to_its_person(app, asked):
    event, found = asked
    # Jens is logged in and opens Anna's link: it answers for Anna only.
    jens = app.test_client()
    log_in(jens, "jens@example.com")
    assert jens.post(found["anna@example.com"]["release"]).status_code == 200
    assert status_of(app, event, "anna@example.com") == "not_going"
    assert status_of(app, event, "jens@example.com") == "going"


def test_links_expire_when_the_event_starts_or_moves(app, asked):
    event, found = asked
    token = found["jens@example.com"]["yes"].rsplit("/", 1)[1]
    with app.app_context(), pytest.raises(InvalidToken) as refused:
        still_coming.answer(token, event, "yes", now=starts(app, event) + timedelta(minutes=1))
    assert refused.value.expired
    move(app, event, minutes=30)
    expired = app.test_client().post(found["jens@example.com"]["yes"])
    assert expired.status_code == 400
    assert "abgelaufen" in expired.get_data(as_text=True)
    in_english = app.test_client().get(found["jens@example.com"]["yes"],
                                       headers={"Accept-Language": "en"})
    assert "This link has expired" in in_english.get_data(as_text=True)
