"""The demo login's home on a phone: her follow-up, her relationships and the nudges,
each a link that leads where it says, nothing wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in
from tests.browser.test_layout import DEMO_PASSWORD, PHONE, WCAG


@pytest.fixture
def seeded(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0


def test_the_home_on_a_phone_shows_follow_ups_relationships_and_nudges(
        page: Page, live_server, seeded):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "anna.schneider@example.com", DEMO_PASSWORD)
    page.goto(live_server + "/")
    nudges = page.locator(".nudge")
    assert 1 <= nudges.count() <= 3
    expect(nudges.first).to_contain_text("nicht gesehen:")
    expect(page.get_by_role("heading", name="Ihre Beziehungen")).to_be_visible()
    expect(page.get_by_role("link", name="1 ruhende Beziehung")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in (".nudge", "section[aria-labelledby=follow-ups-heading]",
                     "section[aria-labelledby=relations-heading]"):
        for element in page.locator(selector).all():
            box = element.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()

    follow_up = page.locator("section[aria-labelledby=follow-ups-heading] li a").first
    name = follow_up.inner_text()
    follow_up.click()
    expect(page.locator("h1")).to_contain_text(name)  # the contact's card
    page.go_back()
    event_link = nudges.first.locator('a[href^="/events/"]')
    title = event_link.inner_text()
    event_link.click()
    expect(page.locator("h1")).to_contain_text(title)
