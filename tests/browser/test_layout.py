"""Layout at phone (390 px) and desktop (1280 px) width, measured in Chromium: one header
row, a one-column account menu, state badges that do not overlap, buttons that do not
touch, the current photo on the profile form, a styled badge sheet with a print button."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Event
from tests.browser.helpers import log_in

DEMO_PASSWORD = "treffpunkt-demo"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def seeded(app):
    app.test_cli_runner().invoke(args=["seed-demo"])


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("who", [None, "anna.schneider@example.com"])
def test_the_header_is_one_row_on_a_phone(page: Page, live_server, seeded, who):
    page.set_viewport_size(PHONE)
    if who:
        log_in(page, live_server, who, DEMO_PASSWORD)
    page.goto(live_server + "/")
    assert box(page, ".site-header")["height"] <= 64
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name="Treffpunkt")).to_be_visible()  # named, as the mark


def test_the_account_menu_is_one_column_on_a_desktop(page: Page, live_server, seeded):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "anna.schneider@example.com", DEMO_PASSWORD)
    page.click(".menu > summary")
    lefts = {round(item.bounding_box()["x"]) for item in page.locator(".menu-list > li").all()}
    assert len(lefts) == 1


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_state_badges_stay_under_their_card(page: Page, live_server, seeded, size):
    page.set_viewport_size(size)
    log_in(page, live_server, "monika.zimmermann@example.com", DEMO_PASSWORD)
    for path in ("/events/mine", "/"):
        page.goto(live_server + path)
        items = page.locator(".event-list > li:has(.card-note)").all()
        assert items
        for item in items:
            card, note = item.locator(".event-card").bounding_box(), item.locator(
                ".card-note").bounding_box()
            cell = item.bounding_box()
            assert note["y"] >= card["y"] + card["height"]
            assert note["y"] + note["height"] <= cell["y"] + cell["height"] + 0.5


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_calendar_buttons_do_not_touch(page: Page, live_server, seeded, size):
    page.set_viewport_size(size)
    log_in(page, live_server, "anna.schneider@example.com", DEMO_PASSWORD)
    page.goto(live_server + "/account/")
    save = page.locator("form.form-block button").bounding_box()
    create = page.get_by_role("button", name="Meine Kalenderadresse erstellen").bounding_box()
    assert create["y"] - (save["y"] + save["height"]) >= 8


def test_the_profile_form_shows_the_current_photo_or_initials(page: Page, live_server, seeded):
    log_in(page, live_server, "anna.schneider@example.com", DEMO_PASSWORD)
    page.goto(live_server + "/people/me")
    expect(page.locator(".photo-current .avatar")).to_have_text("AS")
    expect(page.get_by_text("Noch kein Foto: Andere sehen Ihre Initialen.")).to_be_visible()


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_the_badge_sheet_is_styled_and_prints_by_button(page: Page, live_server, seeded, app,
                                                        size):
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.series_id.is_not(None))
                                     .order_by(Event.starts_at))
    page.set_viewport_size(size)
    log_in(page, live_server, "anna.schneider@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server}/events/{event_id}/badges")
    assert page.locator('link[rel="icon"]').count() == 1
    back = page.get_by_role("link", name="Zurück zur Einlassliste")
    assert back.bounding_box()["height"] >= 44
    expect(page.get_by_text("Drucken: Strg+P (am Mac: ⌘+P)")).to_be_visible()
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Namensschilder drucken").click()
    assert page.evaluate("document.body.dataset.printed") == "yes"
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_new_pages_have_no_wcag_violations(page: Page, live_server, seeded, app):
    with app.app_context():
        series_id = db.session.scalar(select(Event.series_id).where(
            Event.series_id.is_not(None)))
    log_in(page, live_server, "anna.schneider@example.com", DEMO_PASSWORD)
    for path in ("/", f"/series/{series_id}", "/events/new/unternehmerstammtisch-muenster"):
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            page.goto(live_server + path)
            results = Axe().run(page, options=WCAG)
            assert results.violations_count == 0, (path, results.generate_report())
