"""Capacity 1: A says yes, B waits, A cancels, B moves up, B is let in at the door."""

from playwright.sync_api import expect


def test_waitlist_promotion_and_check_in(signed_in_pages, live_server, make_user, make_group,
                                         add_member, tmp_path):
    owner_id, _ = make_user("chair@example.com", name="Clara Vorsitz")
    slug = make_group(owner_id)
    for email, name in (("anna@example.com", "Anna Erste"), ("ben@example.com", "Ben Zweiter")):
        add_member(slug, make_user(email, name=name)[0])
    organiser, anna, ben = signed_in_pages("chair@example.com", "anna@example.com",
                                           "ben@example.com")

    organiser.goto(f"{live_server}/groups/{slug}")
    organiser.get_by_role("link", name="Neue Veranstaltung").click()
    organiser.get_by_label("Titel der Veranstaltung").fill("Kamingespräch")
    organiser.get_by_label("Beginn").fill("2099-06-02T19:00")
    organiser.get_by_label("Ende").fill("2099-06-02T21:30")
    organiser.get_by_label("Ort", exact=True).fill("Bibliothek")
    organiser.get_by_label("Plätze").fill("1")
    organiser.get_by_role("button", name="Veröffentlichen").click()
    expect(organiser.get_by_role("heading", name="Kamingespräch")).to_be_visible()
    expect(organiser.get_by_text("Di., 2. Juni 2099, 19:00–21:30 Uhr")).to_be_visible()
    event_url = organiser.url

    anna.goto(event_url)
    anna.get_by_role("button", name="Zusagen").click()
    expect(anna.get_by_text("Sie sind dabei", exact=True)).to_be_visible()

    ben.goto(event_url)
    expect(ben.get_by_text("Ausgebucht")).to_be_visible()
    ben.get_by_role("button", name="Auf die Warteliste").click()
    expect(ben.get_by_text("Warteliste, Platz 1")).to_be_visible()

    anna.get_by_role("button", name="Meine Zusage zurückziehen").click()
    expect(anna.get_by_text("Danke für Ihre Rückmeldung.")).to_be_visible()

    ben.reload()
    expect(ben.get_by_text("Sie sind dabei", exact=True)).to_be_visible()
    ben.get_by_role("link", name="Mein Ticket zeigen").click()
    expect(ben.locator(".qr svg")).to_be_visible()

    organiser.set_viewport_size({"width": 390, "height": 844})
    organiser.goto(event_url + "/check-in")
    expect(organiser.get_by_text("0 von 1 sind da")).to_be_visible()
    organiser.get_by_role("button", name="Ben Zweiter einlassen").click()
    expect(organiser.get_by_text("Ben Zweiter ist eingelassen.")).to_be_visible()
    expect(organiser.get_by_text("1 von 1 sind da")).to_be_visible()
    organiser.screenshot(path=str(tmp_path / "check-in.png"), full_page=True)
    ben.reload()
    expect(ben.get_by_text("Eingelassen")).to_be_visible()
