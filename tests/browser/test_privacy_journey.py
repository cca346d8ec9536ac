"""On a phone: download my data, then delete my account, and take it back."""

import io
import json
import zipfile

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in
from tests.helpers import PASSWORD

PHONE = {"width": 375, "height": 740}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def no_violations(page: Page) -> None:
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_export_and_deletion_at_phone_size(page: Page, live_server, make_user, club,
                                          tmp_path):
    _user_id, email = make_user("jana@example.com", name="Jana Vogel")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, email)
    page.goto(live_server + "/account/")
    page.get_by_role("link", name="Meine Daten herunterladen").click()
    expect(page.get_by_role("heading", name="Meine Daten", exact=True)).to_be_visible()
    no_violations(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Meine Daten herunterladen").click()
    download = info.value
    assert download.suggested_filename.startswith("treffpunkt-daten-")
    zipped = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    assert json.loads(zipped.read("data.json"))["account"]["name"] == "Jana Vogel"
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Mein Konto löschen …").click()
    page.get_by_label("Ihr Passwort").fill("not my password")
    page.get_by_role("button", name="Mein Konto löschen").click()
    expect(page.locator("#password-error")).to_contain_text("Das ist nicht Ihr Passwort.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_violations(page)
    page.screenshot(path=str(tmp_path / "delete-phone.png"), full_page=True)
    page.get_by_label("Ihr Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Mein Konto löschen").click()
    expect(page.get_by_role("heading", name="Ihr Konto ist gelöscht")).to_be_visible()

    page.goto(live_server + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", name="Mein Konto wiederherstellen")).to_be_visible()
    page.get_by_role("button", name="Mein Konto wiederherstellen").click()
    expect(page.get_by_text("Willkommen zurück! Ihr Konto ist wiederhergestellt.")
           ).to_be_visible()
    expect(page.locator(".menu > summary")).to_contain_text("Jana")
