"""A weekly series in a real browser: the repeat fields appear only when chosen, the
dates are shown before saving, and later dates are cancelled from the series page."""

from playwright.sync_api import expect


def test_create_preview_confirm_and_cancel_following(signed_in_pages, live_server, make_user,
                                                     make_group):
    owner_id, _ = make_user("chair@example.com", name="Clara Vorsitz")
    slug = make_group(owner_id)
    (organiser,) = signed_in_pages("chair@example.com")
    organiser.set_viewport_size({"width": 390, "height": 844})
    organiser.goto(f"{live_server}/events/new/{slug}")
    count = organiser.get_by_label("Oder Anzahl der Termine")
    expect(count).to_be_hidden()  # no repeat chosen: no repeat fields
    organiser.get_by_label("Wiederholen").select_option("weekly")
    expect(count).to_be_visible()
    organiser.get_by_label("Titel der Veranstaltung").fill("Lauftreff")
    organiser.get_by_label("Beginn").fill("2099-01-05T19:00")  # no end: two hours
    organiser.get_by_label("Ort", exact=True).fill("Aasee")
    organiser.get_by_role("button", name="Veröffentlichen").click()

    expect(organiser.get_by_role("heading", name="Es werden 10 Termine angelegt: "
                                 "5. Jan. 2099 … 9. März 2099")).to_be_visible()
    expect(organiser.get_by_text("Mo., 9. März 2099, 19:00–21:00 Uhr")).to_be_visible()
    organiser.get_by_role("button", name="10 Termine anlegen und veröffentlichen").click()
    expect(organiser.get_by_text("10 Termine der Reihe sind gespeichert.")).to_be_visible()

    organiser.get_by_role("link", name="alle 10 Termine").click()
    expect(organiser.locator(".series-date")).to_have_count(10)
    organiser.get_by_text("Termine absagen …").click()
    organiser.get_by_label("Termin", exact=True).select_option(label="Mo., 2. März 2099, 19:00")
    organiser.get_by_label("Diesen und alle folgenden Termine der Reihe").check()
    organiser.get_by_label("Grund (für alle sichtbar)").fill("Der Aasee wird saniert.")
    organiser.get_by_role("button", name="Diese Termine absagen").click()
    expect(organiser.get_by_text("2 Termine sind abgesagt.")).to_be_visible()
    expect(organiser.locator(".series-date.is-cancelled")).to_have_count(2)
    assert organiser.evaluate("document.documentElement.scrollWidth") <= 390
