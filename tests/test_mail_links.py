"""Every link in a mail points to the configured SITE_URL, whatever Host a request claims."""

import re

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Application
from meetup.notify.sender import send_pending
from tests.helpers import PASSWORD, csrf_token, redirects_to

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox

SITE = "https://treffpunkt.example.org"
# The request arrives with "Host: evil.example" (and proxy headers claiming it, too).
FORGED = {"base_url": "http://evil.example",
          "headers": {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}}


def forged(client, url: str, data: dict, page: str | None = None):
    """Submit a form, page and POST both sent with a forged Host header. The test
    client keeps cookies per host, so a whole visit goes to the forged host."""
    html = client.get(page or url, **FORGED).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **data}, **FORGED)


def log_in_forged(client, email: str):
    redirects_to(forged(client, "/auth/login", {"email": email, "password": PASSWORD}), "/")


@pytest.fixture
def site(app):
    app.config["SITE_URL"] = SITE
    return app


def links_in(mail) -> list[str]:
    body = mail.get_body(("plain",)).get_content()
    assert "evil.example" not in body
    html = mail.get_body(("html",)).get_content()  # the HTML part links the same way
    assert "evil.example" not in html
    assert re.findall(r'href="(https?://[^"]+)"', html) == re.findall(r"https?://\S+", body)
    links = re.findall(r"https?://\S+", body)
    assert links, body
    return links


def assert_site_links(mail, path_prefix: str) -> None:
    links = links_in(mail)
    assert all(link.startswith(SITE + "/") for link in links), links
    assert any(link.startswith(SITE + path_prefix) for link in links), links


def test_verification_mail_links_to_the_site_not_the_forged_host(site, client, mailbox):
    response = forged(client, "/auth/signup", {
        "name": "Jana Vogel", "email": "jana@example.com", "password": "sehr-geheim-42"})
    redirects_to(response, "/auth/signup/sent")
    assert_site_links(mailbox.wait_for("jana@example.com")[-1], "/auth/verify/")


def test_resent_verification_mail_links_to_the_site(site, client, make_user, mailbox):
    make_user(verified=False)
    log_in_forged(client, "mara@example.com")
    redirects_to(forged(client, "/auth/resend", {}, page="/account/"), "/account/")
    assert_site_links(mailbox.wait_for("mara@example.com")[-1], "/auth/verify/")


def test_reset_mail_links_to_the_site_not_the_forged_host(site, client, make_user, mailbox):
    make_user()
    redirects_to(forged(client, "/auth/reset", {"email": "mara@example.com"}), "/auth/login")
    with site.app_context():
        send_pending()  # what the outbox sender beside the web server does
    mail = mailbox.wait_for("mara@example.com")[-1]
    assert_site_links(mail, "/auth/reset/")
    # The link works on the real site.
    path = links_in(mail)[-1].removeprefix(SITE)
    assert client.get(path, base_url=SITE).status_code == 200


def test_email_change_mail_links_to_the_site(site, client, make_user, mailbox):
    make_user()
    log_in_forged(client, "mara@example.com")
    response = forged(client, "/account/email", {
        "email-email": "mara.neu@example.com", "email-current_password": PASSWORD},
        page="/account/")
    redirects_to(response, "/account/")
    assert_site_links(mailbox.wait_for("mara.neu@example.com")[-1], "/account/email/")


def test_group_invitation_mail_links_to_the_site(site, client, make_user, make_group,
                                                 mailbox):
    owner_id, _ = make_user()
    slug = make_group(owner_id, visibility="private", join_policy="invite")
    log_in_forged(client, "mara@example.com")
    response = forged(client, f"/groups/{slug}/manage/invitations/email",
                      {"mail-emails": "eva@example.com"},
                      page=f"/groups/{slug}/manage/invitations")
    redirects_to(response, f"/groups/{slug}/manage/invitations")
    assert_site_links(mailbox.wait_for("eva@example.com")[-1], "/invite/")


def test_application_approval_mail_links_to_the_site(site, client, make_user, make_group,
                                                     mailbox):
    owner_id, _ = make_user("owner@example.com")
    make_user()
    slug = make_group(owner_id, join_policy="approval")
    log_in_forged(client, "mara@example.com")
    forged(client, f"/groups/{slug}/apply", {"message": "Ich bin Steuerberaterin."})
    organiser = site.test_client()
    log_in_forged(organiser, "owner@example.com")
    with site.app_context():
        application_id = db.session.scalar(select(Application.id))
    response = forged(organiser, f"/groups/{slug}/manage/applications/{application_id}/approve",
                      {}, page=f"/groups/{slug}/manage/applications")
    redirects_to(response, f"/groups/{slug}/manage/applications")
    assert_site_links(mailbox.wait_for("mara@example.com")[-1], f"/groups/{slug}")


def test_new_calendar_feed_address_is_shown_under_the_site(site, client, make_user):
    make_user()
    log_in_forged(client, "mara@example.com")
    response = forged(client, "/account/calendar/new", {}, page="/account/")
    redirects_to(response, "/account/#calendar-heading")
    html = client.get("/account/", **FORGED).get_data(as_text=True)
    assert "evil.example" not in html
    assert f"{SITE}/calendar/" in html
