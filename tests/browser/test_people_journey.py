"""A offers tax advice; B, looking for it, says yes and sees A first, with the reason."""

from playwright.sync_api import expect


def test_people_to_meet(signed_in_pages, live_server, make_user, make_group, add_member,
                        make_event):
    owner_id, _ = make_user("chair@example.com", name="Clara Vorsitz")
    slug = make_group(owner_id)
    event_id = make_event(slug, title="Stammtisch")
    for email, name in (("anna@example.com", "Anna Steuer"), ("ben@example.com", "Ben Bau"),
                        ("carl@example.com", "Carl Codes")):
        add_member(slug, make_user(email, name=name)[0])
    anna, ben, carl = signed_in_pages("anna@example.com", "ben@example.com", "carl@example.com")

    anna.goto(live_server + "/people/me")
    anna.get_by_label("Und was machen Sie so?").fill("Steuerberaterin für Gründer")
    anna.get_by_label("Ich biete").fill("Steuerberatung\nJahresabschluss")
    anna.get_by_role("button", name="Profil speichern").click()
    expect(anna.get_by_text("Ihr Profil ist gespeichert.")).to_be_visible()
    carl.goto(live_server + "/people/me")
    carl.get_by_label("Themen").fill("Export")
    carl.get_by_role("button", name="Profil speichern").click()
    for page in (anna, carl):
        page.goto(f"{live_server}/events/{event_id}")
        page.get_by_role("button", name="Zusagen").click()

    ben.goto(live_server + "/people/me")
    ben.get_by_label("Themen").fill("Export")
    ben.get_by_label("Ich suche").fill("steuerberatung")
    ben.get_by_role("button", name="Profil speichern").click()
    ben.goto(f"{live_server}/events/{event_id}")
    ben.get_by_role("button", name="Zusagen").click()
    meet = ben.locator(".meet")
    expect(meet).to_be_visible()
    first = meet.locator("li").first
    expect(first).to_contain_text("Anna Steuer")
    expect(first).to_contain_text("Bietet: Steuerberatung — Sie suchen das")
    expect(meet).to_contain_text("Gemeinsame Themen: Export")
