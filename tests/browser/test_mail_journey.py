"""An organiser writes to the people going; a member writes to the organisers.
The mails go through the outbox and a real SMTP server."""

import pytest
from playwright.sync_api import expect

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox


def test_organiser_announces_to_the_people_going(signed_in_pages, live_server, club, make_user,
                                                 add_member, make_event, mailbox):
    slug, _owner = club
    event = make_event(slug, capacity=10)
    add_member(slug, make_user("anna@example.com", name="Anna Schneider")[0])
    add_member(slug, make_user("paula@example.com", name="Paula Plain")[0])
    organiser, anna = signed_in_pages("owner@example.com", "anna@example.com")
    site = live_server
    anna.goto(f"{site}/events/{event}")
    anna.get_by_role("button", name="Zusagen").click()
    expect(anna.get_by_text("Sie sind dabei", exact=True)).to_be_visible()

    organiser.goto(f"{site}/events/{event}")
    organiser.get_by_role("link", name="An die Teilnehmenden schreiben").click()
    organiser.get_by_label("Alle, die dabei sind").check()
    organiser.get_by_label("Betreff").fill("Parken am Hafen")
    organiser.get_by_label("Nachricht").fill("Bitte nutzen Sie den hinteren Parkplatz.")
    organiser.get_by_role("button", name="Rundschreiben senden").click()
    expect(organiser.get_by_text("Ihr Rundschreiben ist unterwegs zu 1 Person.")).to_be_visible()
    expect(organiser.get_by_role("cell", name="Parken am Hafen")).to_be_visible()

    [mail] = [m for m in mailbox.wait_for("anna@example.com", count=2)
              if m["Subject"] == "Parken am Hafen"]
    assert "Unternehmerclub Münster" in mail["From"]
    assert "hinteren Parkplatz" in mail.get_body(("plain",)).get_content()
    assert not [m for m in mailbox.arrived() if "paula@example.com" in m["To"]]


def test_member_writes_to_the_organisers(signed_in_pages, live_server, club, make_user,
                                         add_member, mailbox):
    slug, _owner = club
    add_member(slug, make_user("paula@example.com", name="Paula Plain")[0])
    [paula] = signed_in_pages("paula@example.com")
    paula.goto(f"{live_server}/groups/{slug}")
    paula.get_by_role("link", name="Dem Organisationsteam schreiben").click()
    paula.get_by_label("Betreff").fill("Gäste beim Stammtisch")
    paula.get_by_label("Nachricht").fill("Darf ich eine Kollegin mitbringen?")
    paula.get_by_role("button", name="Nachricht senden").click()
    expect(paula.get_by_text("Ihre Nachricht ist unterwegs", exact=False)).to_be_visible()
    assert "owner@example.com" not in paula.content()

    [mail] = mailbox.wait_for("owner@example.com")
    assert mail["Reply-To"] == "paula@example.com"
    assert "Darf ich eine Kollegin mitbringen?" in mail.get_body(("plain",)).get_content()


def test_organiser_cancels_and_each_person_going_gets_a_calendar_cancellation(
        signed_in_pages, live_server, club, make_user, add_member, make_event, mailbox):
    slug, _owner = club
    event = make_event(slug, capacity=10)
    people = ("anna@example.com", "jens@example.com")
    for email in people:
        add_member(slug, make_user(email, name=email.split("@")[0].title())[0])
    organiser, *members = signed_in_pages("owner@example.com", *people)
    for page in members:
        page.goto(f"{live_server}/events/{event}")
        page.get_by_role("button", name="Zusagen").click()
        expect(page.get_by_text("Sie sind dabei", exact=True)).to_be_visible()

    organiser.goto(f"{live_server}/events/{event}")
    organiser.get_by_text("Veranstaltung absagen …").click()
    expect(organiser.get_by_text("2 Personen haben zugesagt.")).to_be_visible()
    organiser.get_by_label("Grund (für alle sichtbar)").fill("Der Saal ist überflutet.")
    organiser.get_by_role("button", name="Ja, Veranstaltung absagen").click()
    expect(organiser.get_by_text("Der Saal ist überflutet.").first).to_be_visible()

    for email in people:
        [mail] = [m for m in mailbox.wait_for(email, count=2)
                  if m["Subject"] == "Abgesagt: Stammtisch"]
        assert "Der Saal ist überflutet." in mail.get_body(("plain",)).get_content()
        [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "CANCEL"
        assert b"METHOD:CANCEL" in part.get_payload(decode=True)
