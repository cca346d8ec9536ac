"""Security headers on every answer, no inline script or style on any page, and
no-store on personal pages only."""

from html.parser import HTMLParser

import pytest

from meetup import images
from meetup.demo import DEMO_PASSWORD
from meetup.extensions import db
from meetup.models import RSVP, Group, User
from tests.budget import REAL, Session, Walker
from tests.helpers import log_in, make_app
from tests.test_calendar import personal_url
from tests.test_error_budget import ROLES, candidates, get_rules
from tests.test_logo import jpeg_with_exif

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")
NO_STORE = "private, no-store"


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def fetch(client, url, **kwargs):
    """GET and close: file responses hold their file open until closed."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


@pytest.fixture
def club(app, make_user, make_group, make_event, add_member):
    """An owner with a public club and event; Mara is a member going to it."""
    owner_id, _ = make_user("owner@example.com", name="Olga Owner")
    slug = make_group(owner_id)
    event_id = make_event(slug)
    mara_id, _ = make_user()
    add_member(slug, mara_id)
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=mara_id))
        db.session.commit()
    return slug, event_id


def test_headers_on_a_page_a_404_a_feed_and_images(app, client, club, tmp_path):
    slug, event_id = club
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    with app.app_context():
        group = db.session.scalar(db.select(Group).filter_by(slug=slug))
        group.logo = images.store("logos", group.id, images.process(jpeg_with_exif(), 512))
        db.session.commit()
    answers = {url: fetch(client, url) for url in (
        "/", "/does-not-exist", f"/groups/{slug}/calendar.ics", f"/events/{event_id}.ics",
        f"/groups/{slug}/logo", "/static/favicon.svg", "/static/css/app.css")}
    assert answers["/does-not-exist"].status_code == 404
    assert answers[f"/groups/{slug}/calendar.ics"].mimetype == "text/calendar"
    assert answers[f"/groups/{slug}/logo"].mimetype == "image/png"
    assert answers["/static/favicon.svg"].mimetype == "image/svg+xml"
    for url, response in answers.items():
        assert response.status_code in (200, 404), url
        assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers, url


def test_headers_on_a_server_error(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    response = fetch(app.test_client(), "/_boom")
    assert response.status_code == 500
    assert_security_headers(response)


def test_headers_on_a_304_and_a_post(app, client, club):
    slug, _event_id = club
    url = f"/groups/{slug}/calendar.ics"
    etag = fetch(client, url).headers["ETag"]
    not_modified = fetch(client, url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert_security_headers(not_modified)
    assert_security_headers(log_in(client, "mara@example.com"))


def test_hsts_only_over_https(app, client):
    assert "Strict-Transport-Security" not in fetch(client, "/").headers
    secure = fetch(client, "/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_security_headers(secure)


def test_hsts_and_secure_cookies_when_the_site_is_https(database_uri, smtp):
    # Behind a proxy that ends TLS the request itself arrives as http.
    app = make_app(database_uri, smtp[0].port, SITE_URL="https://treffpunkt.example.org")
    with app.app_context():
        try:
            assert app.config["SESSION_COOKIE_SECURE"] is True
            assert app.config["REMEMBER_COOKIE_SECURE"] is True
            response = fetch(app.test_client(), "/auth/login")
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
            assert "Secure" in response.headers["Set-Cookie"]
        finally:
            db.engine.dispose()


def test_plain_http_sites_keep_cookies_usable(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False


# --- Cache-Control --------------------------------------------------------------------

def test_public_pages_may_be_cached_for_visitors(client, club):
    slug, event_id = club
    for url in ("/", "/events/", "/groups/", f"/groups/{slug}", f"/events/{event_id}",
                "/impressum", "/datenschutz"):
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url


def test_account_and_token_pages_are_not_stored_even_for_visitors(client):
    for url in ("/auth/login", "/auth/signup", "/auth/reset", "/auth/reset/not-a-token",
                "/invite/not-a-token"):
        assert fetch(client, url).headers["Cache-Control"] == NO_STORE, url


def test_every_page_for_a_signed_in_person_is_not_stored(app, client, club):
    slug, event_id = club
    log_in(client, "owner@example.com")
    owner_pages = ("/", "/events/", f"/groups/{slug}", "/account/", "/events/mine",
                   f"/events/{event_id}/check-in", f"/events/{event_id}/attendees.csv",
                   f"/events/{event_id}/badges", f"/groups/{slug}/manage/members",
                   "/does-not-exist", "/impressum")
    for url in owner_pages:
        response = fetch(client, url)
        assert response.status_code in (200, 404), url
        assert response.headers["Cache-Control"] == NO_STORE, url
    member = app.test_client()
    log_in(member, "mara@example.com")
    ticket = fetch(member, f"/events/{event_id}/ticket")
    assert ticket.status_code == 200 and "<svg" in ticket.get_data(as_text=True)
    assert ticket.headers["Cache-Control"] == NO_STORE


def test_feeds_images_and_static_files_keep_their_own_caching(app, client, club, tmp_path):
    slug, event_id = club
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    with app.app_context():
        mara = db.session.scalar(db.select(User).filter_by(email="mara@example.com"))
        mara.photo = images.store("photos", mara.id, images.process(jpeg_with_exif(), 512))
        db.session.commit()
        mara_id = mara.id
    # Signed in: the rule for personal pages must not override these.
    log_in(client, "mara@example.com")
    feed = personal_url(client)
    expected = {
        f"/groups/{slug}/calendar.ics": "public, max-age=900",
        f"/events/{event_id}.ics": "private, max-age=300",
        feed: "private, max-age=900",
        f"/people/{mara_id}/photo": "private, max-age=3600",
        "/static/css/app.css": "no-cache",  # revalidated against its ETag
    }
    for url, cache in expected.items():
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == cache, url
        assert_security_headers(response)


# --- every page, as visitor, member and owner ----------------------------------------

class InlineCode(HTMLParser):
    """Whatever a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.legal_links: set[str] = set()
        self.full_page = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.full_page = True
        if tag == "script" and not a.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name}= on <{tag}>")
        if tag == "a" and a.get("href") in ("/impressum", "/datenschutz"):
            self.legal_links.add(a["href"])


def inspect(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


def test_the_inline_code_check_sees_what_it_must():
    html = ('<html><p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
            '<script src="/static/x.js"></script><style>p{}</style>'
            '<a href="javascript:alert(1)">x</a></html>')
    assert sorted(inspect(html).found) == sorted([
        "style= on <p>", "onclick= on <p>", "<script> without src", "<style> element",
        "javascript: URL in href= on <a>"])


# A print sheet with its own minimal layout and no site footer.
WITHOUT_FOOTER = {"events.badges"}


def test_no_page_has_inline_code_and_every_page_links_the_legal_pages(demo_app):
    """Every GET route with real demo values, as visitor, member and owner."""
    walker = Walker(demo_app)
    visitors = [Session(demo_app, role, email, DEMO_PASSWORD, walker.next_address())
                for role, email in ROLES.items()]
    values = candidates(demo_app)
    problems, pages = [], 0
    for rule in get_rules(demo_app):
        urls = [url for url, note in walker.urls_for_rule(rule, values) if note in REAL]
        for visitor in visitors:
            for url in urls[:8]:
                response = fetch(visitor.client, url)
                assert_security_headers(response)
                if response.mimetype != "text/html":
                    continue
                pages += 1
                found = inspect(response.get_data(as_text=True))
                where = f"{visitor.role} {url} ({response.status_code})"
                problems += [f"{where}: {item}" for item in found.found]
                redirect = 300 <= response.status_code < 400  # werkzeug's stub page
                if found.full_page and not redirect and rule.endpoint not in WITHOUT_FOOTER and (
                        found.legal_links != {"/impressum", "/datenschutz"}):
                    problems.append(f"{where}: footer without Impressum/Datenschutz links")
    assert pages > 100, pages
    assert not problems, "\n".join(problems)
