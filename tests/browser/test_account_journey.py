"""A newcomer signs up, verifies, logs out and in, and switches language."""

import re

import pytest
from playwright.sync_api import Page, expect

from meetup.notify.sender import send_pending

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox


def test_sign_up_verify_log_out_log_in_switch_language(page: Page, live_server, mailbox,
                                                       tmp_path):
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("link", name="Registrieren", exact=True).click()

    page.get_by_label("Vor- und Nachname").fill("Jana Vogel")
    page.get_by_label("E-Mail-Adresse").fill("jana.vogel@example.com")
    page.get_by_label("Passwort").fill("kurz")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.locator("#password-error")).to_contain_text("mindestens 10 Zeichen")

    page.get_by_label("Passwort").fill("ein-sicheres-passwort")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihr Postfach")).to_be_visible()
    expect(page.get_by_text("Wir haben eine E-Mail an jana.vogel@example.com gesendet.")
           ).to_be_visible()

    link = mailbox.last_link("jana.vogel@example.com")
    assert link.startswith(live_server)
    page.goto(link)
    page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()
    expect(page.get_by_text("Vielen Dank, Ihre E-Mail-Adresse ist bestätigt.")).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill("jana.vogel@example.com")
    page.get_by_label("Passwort").fill("ein-sicheres-passwort")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".menu > summary")).to_contain_text("Jana")
    expect(page.get_by_role("button", name="Link erneut senden")).to_have_count(0)

    page.locator(".menu > summary").click()  # the account menu, a <details>
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()

    page.get_by_role("link", name="Anmelden", exact=True).click()
    page.get_by_label("E-Mail-Adresse").fill("Jana.Vogel@example.com")
    page.get_by_label("Passwort").fill("ein-sicheres-passwort")
    page.get_by_label("Auf diesem Gerät angemeldet bleiben").check()
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".menu > summary")).to_contain_text("Jana")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    page.locator(".menu > summary").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.screenshot(path=str(tmp_path / "home-en.png"), full_page=True)

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Nächste Veranstaltungen")).to_be_visible()
    assert re.search(r"/$", page.url)


def test_password_reset_in_the_browser(page: Page, app, live_server, mailbox, make_user):
    make_user(email="mara@example.com")
    page.goto(live_server + "/auth/login")
    page.get_by_role("link", name="Passwort vergessen?").click()
    page.get_by_label("E-Mail-Adresse").fill("mara@example.com")
    page.get_by_role("button", name="Link senden").click()
    expect(page.get_by_text("Falls es ein Konto für mara@example.com gibt")).to_be_visible()

    with app.app_context():
        send_pending()  # the outbox sender beside the web server
    page.goto(mailbox.last_link("mara@example.com"))
    page.get_by_label("Neues Passwort").fill("mein-neues-passwort")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_text("Ihr neues Passwort ist gespeichert.")).to_be_visible()
