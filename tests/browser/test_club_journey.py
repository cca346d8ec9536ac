"""An organiser runs a private approval club; a newcomer gets in by invitation."""

from playwright.sync_api import Browser, expect

from tests.browser.helpers import log_in


def test_private_approval_club_by_invitation(browser: Browser, live_server, make_user,
                                             tmp_path):
    make_user("chair@example.com", name="Clara Vorsitz")
    make_user("karl@example.com", name="Karl Kasse")
    contexts = [browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
                for _ in range(2)]
    organiser, newcomer = (context.new_page() for context in contexts)

    log_in(organiser, live_server, "chair@example.com")
    organiser.get_by_role("link", name="Clubs", exact=True).click()
    organiser.get_by_role("link", name="Gruppe gründen").click()
    organiser.get_by_label("Name", exact=True).fill("Gründerkreis Münster")
    organiser.get_by_label("Stadt oder Region").fill("Münster")
    organiser.get_by_label("Privat – nicht gelistet").check()
    organiser.get_by_label("Mit Aufnahme").check()
    organiser.get_by_role("button", name="Gruppe anlegen").click()
    expect(organiser.get_by_role("heading", name="Gründerkreis Münster")).to_be_visible()
    assert organiser.url.endswith("/groups/gruenderkreis-muenster")

    organiser.get_by_role("link", name="Einladungen").click()
    organiser.get_by_role("button", name="Link erstellen").click()
    link = organiser.get_by_role("textbox", name="Einladungslink").first.input_value()
    assert "/invite/" in link

    # The newcomer cannot find the club, neither in the list nor by its address.
    log_in(newcomer, live_server, "karl@example.com")
    newcomer.goto(live_server + "/groups/?q=Gr%C3%BCnderkreis")
    expect(newcomer.get_by_text("Keine Clubs passen zu Ihrer Suche.")).to_be_visible()
    response = newcomer.goto(live_server + "/groups/gruenderkreis-muenster")
    assert response.status == 404

    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Gründerkreis Münster")).to_be_visible()
    newcomer.get_by_label("Warum möchten Sie beitreten?").fill(
        "Ich bin Steuerberater und gründe gerade mein zweites Unternehmen.")
    newcomer.get_by_role("button", name="Bewerbung senden").click()
    expect(newcomer.get_by_text("Warten auf Entscheidung")).to_be_visible()

    organiser.get_by_role("link", name="Bewerbungen").click()
    expect(organiser.get_by_text("gründe gerade mein zweites Unternehmen")).to_be_visible()
    organiser.get_by_role("button", name="Annehmen").click()
    expect(organiser.get_by_text("Karl Kasse ist jetzt Mitglied.")).to_be_visible()

    organiser.get_by_role("link", name="Mitglieder", exact=True).click()
    row = organiser.locator(".member-row", has_text="Karl Kasse")
    row.get_by_text("Bearbeiten").click()
    row.get_by_label("Funktion").fill("Kassierer")
    row.get_by_role("button", name="Funktion speichern").click()
    expect(organiser.get_by_text("Karl Kasse hat jetzt die Funktion „Kassierer“.")).to_be_visible()

    newcomer.goto(live_server + "/groups/gruenderkreis-muenster")
    newcomer.get_by_role("link", name="Mitgliederverzeichnis").click()
    entry = newcomer.locator(".person-chip", has_text="Karl Kasse")
    expect(entry).to_contain_text("Kassierer")
    newcomer.set_viewport_size({"width": 390, "height": 844})
    newcomer.screenshot(path=str(tmp_path / "directory.png"), full_page=True)
    for context in contexts:
        context.close()
