"""The Content-Security-Policy in a real browser: no page breaks it, and it really
stops script that was injected into a page."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from meetup.demo import DEMO_PASSWORD
from meetup.extensions import db
from meetup.models import Event

INJECT = """() => new Promise(resolve => {
  document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective));
  const script = document.createElement('script');
  script.textContent = 'window.injectedRan = true';
  document.body.append(script);
  setTimeout(() => resolve(window.injectedRan ? 'it ran' : 'no report'), 3000);
})"""


@pytest.fixture
def demo(demo_app):
    """A demo event of a series, with attendees."""
    with demo_app.app_context():
        return db.session.scalars(select(Event.id).where(Event.series_id.is_not(None))
                                  .order_by(Event.starts_at)).first()


def watch(page: Page) -> list[str]:
    """Everything the browser complains about while the pages load."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_no_page_breaks_the_policy(page: Page, live_server, demo):
    problems = watch(page)
    public = ["/", "/events/", "/groups/", "/groups/unternehmerstammtisch-muenster",
              f"/events/{demo}", "/impressum", "/datenschutz", "/auth/signup", "/nowhere"]
    for path in public:
        page.goto(live_server + path)
    page.goto(live_server + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("anna.schneider@example.com")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".menu > summary")).to_be_visible()
    page.locator(".menu > summary").click()  # the account menu works without script
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    for path in ["/", "/account/", "/people/me", "/events/mine", f"/events/{demo}",
                 f"/events/{demo}/ticket", f"/events/{demo}/check-in",
                 f"/events/{demo}/badges", "/groups/unternehmerstammtisch-muenster/manage/members",
                 "/groups/unternehmerstammtisch-muenster/edit", "/datenschutz"]:
        page.goto(live_server + path)
    # 404 for /nowhere is expected; anything about the policy is not.
    assert [p for p in problems if "404" not in p] == []


def test_injected_script_is_refused(page: Page, live_server):
    page.goto(live_server + "/")
    assert page.evaluate(INJECT).startswith("script-src")
    assert page.evaluate("window.injectedRan") is None
