"""The key pages of a member's and an organiser's week, at phone size, in German and
English: each answers, fits 390 px, has no WCAG 2 A/AA violation, and is saved as a
screenshot with the run's output (test-results/screenshots/) for people to look at."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Event, EventStatus, Group, Membership, Role, User, utcnow
from tests.browser.helpers import log_in

DEMO_PASSWORD = "treffpunkt-demo"
MEMBER = "anna.schneider@example.com"
PHONE = {"width": 390, "height": 844}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def demo(app) -> dict:
    """Paths of the demo's key pages, and who organises the next evening."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        now = utcnow()
        events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
        upcoming = next(e for e in events if e.starts_at > now and e.status == EventStatus.PUBLISHED
                        and e.series_id is None)
        past = next(e for e in reversed(events) if e.ends_at < now and not e.is_cancelled)
        cancelled = next(e for e in events if e.is_cancelled)
        series = next(e for e in events if e.series_id)
        organiser = db.session.scalar(
            select(User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == upcoming.group_id,
                   Membership.role.in_([Role.OWNER, Role.ORGANISER])))
        slug = db.session.get(Group, upcoming.group_id).slug
        return {"organiser": organiser, "member": {
            "home": "/", "events": "/events/", "event": f"/events/{upcoming.id}",
            "past-event": f"/events/{past.id}", "cancelled-event": f"/events/{cancelled.id}",
            "series": f"/series/{series.series_id}", "club": f"/groups/{slug}",
            "my-events": "/events/mine", "contacts": "/contacts/", "profile": "/people/me",
        }, "organising": {"check-in": f"/events/{upcoming.id}/check-in",
                          "members": f"/groups/{slug}/manage/members"}}


def open_as(browser, live_server, email: str, language: str):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server, email, DEMO_PASSWORD)
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    return context, page


def visit_all(page, live_server, screenshot, paths: dict, language: str) -> None:
    for name, path in paths.items():
        response = page.goto(live_server + path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"
        screenshot(page, f"phone-{language}-{name}")


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_members_week_at_phone_size(browser, live_server, demo, screenshot, language):
    context, page = open_as(browser, live_server, MEMBER, language)
    try:
        visit_all(page, live_server, screenshot, demo["member"], language)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_organisers_pages_at_phone_size(browser, live_server, demo, screenshot, language):
    context, page = open_as(browser, live_server, demo["organiser"], language)
    try:
        visit_all(page, live_server, screenshot, demo["organising"], language)
    finally:
        context.close()
