"""A offers tax advice; B, looking for it, says yes and sees A first, with the reason."""

from playwright.sync_api import Browser, expect

from tests.browser.test_club_journey import log_in


def test_people_to_meet(browser: Browser, live_server, make_user, make_group, add_member,
                        make_event):
    owner_id, _ = make_user("chair@example.com", name="Clara Vorsitz")
    slug = make_group(owner_id)
    event_id = make_event(slug, title="Stammtisch")
    for email, name in (("anna@example.com", "Anna Steuer"), ("ben@example.com", "Ben Bau"),
                        ("carl@example.com", "Carl Codes")):
        add_member(slug, make_user(email, name=name)[0])
    pages = {}
    for who in ("anna", "ben", "carl"):
        context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
        context.set_default_timeout(10_000)
        pages[who] = context.new_page()
        log_in(pages[who], live_server, f"{who}@example.com")
    anna, ben, carl = pages["anna"], pages["ben"], pages["carl"]

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
    for page in pages.values():
        page.context.close()
