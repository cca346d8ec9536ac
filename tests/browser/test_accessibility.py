"""axe-core on the key pages: no WCAG 2 A/AA violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.helpers import log_in

DEMO_MEMBER, DEMO_PASSWORD = "anna.schneider@example.com", "treffpunkt-demo"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def seeded(app):
    app.test_cli_runner().invoke(args=["seed-demo"])


@pytest.mark.parametrize("path", ["/", "/auth/signup", "/auth/login"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_no_wcag_violations(page: Page, live_server, seeded, path, language):
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(live_server + path)
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_form_errors_are_accessible(page: Page, live_server):
    page.goto(live_server + "/auth/signup")
    page.get_by_role("button", name="Konto anlegen").click()
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    field = page.get_by_label("E-Mail-Adresse")
    assert field.get_attribute("aria-invalid") == "true"
    assert "email-error" in field.get_attribute("aria-describedby")


def test_phone_layout_has_no_horizontal_scroll(page: Page, live_server, seeded):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


GROUP_PAGES = [
    "/groups/",
    "/groups/unternehmerstammtisch-muenster",
    "/groups/unternehmerstammtisch-muenster/members",
    "/groups/unternehmerstammtisch-muenster/manage/members",
    "/groups/unternehmerstammtisch-muenster/manage/invitations",
    "/groups/unternehmerstammtisch-muenster/edit",
    "/groups/wirtschaftsclub-leipzig/apply",
    "/groups/mine",
    "/account/",
    "/people/me",
    "/people/2",
]


def test_club_pages_have_no_wcag_violations(page: Page, live_server, seeded):
    log_in(page, live_server, DEMO_MEMBER, DEMO_PASSWORD)
    for path in GROUP_PAGES:
        page.goto(live_server + path)
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


def test_event_pages_have_no_wcag_violations(page: Page, live_server, seeded, app):
    from sqlalchemy import select

    from meetup.extensions import db
    from meetup.models import Event

    with app.app_context():
        series = db.session.scalars(select(Event.id).where(Event.series_id.is_not(None))
                                    .order_by(Event.starts_at)).first()
        cancelled = db.session.scalar(select(Event.id).where(Event.status == "cancelled"))
    log_in(page, live_server, DEMO_MEMBER, DEMO_PASSWORD)
    for path in ["/events/", f"/events/{series}", f"/events/{cancelled}",
                 f"/events/{series}/check-in", f"/events/{series}/ticket", "/events/mine",
                 "/events/new/unternehmerstammtisch-muenster", f"/events/{series}/edit"]:
        page.goto(live_server + path)
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
