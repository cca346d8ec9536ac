"""Accounts: sign-up, verification, login, logout, reset, changes, and bad input."""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from meetup.auth import services
from meetup.auth import views as auth_views
from meetup.extensions import db
from meetup.models import User
from meetup.notify.sender import send_pending
from tests.helpers import PASSWORD, csrf_token, get_user, log_in, redirects_to, submit

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox


def deliver(app) -> None:
    """Send what the outbox holds (the sender beside the web server does this)."""
    with app.app_context():
        send_pending()


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_sign_up_sends_a_verification_mail_and_the_link_verifies(app, client, mailbox):
    response = submit(client, "/auth/signup", {
        "name": "Jana Vogel", "email": "Jana.Vogel@Example.com", "password": "sehr-geheim-42",
    })
    redirects_to(response, "/auth/signup/sent")
    user = get_user(app, "jana.vogel@example.com")
    assert user is not None and not user.is_verified
    assert user.password_hash.startswith("scrypt:")
    sent = client.get("/auth/signup/sent").get_data(as_text=True)
    assert "Wir haben eine E-Mail an Jana.Vogel@Example.com gesendet." in sent
    assert "Abmelden" not in sent  # not logged in: that would tell the address was new

    link = mailbox.last_link("jana.vogel@example.com")
    path = link.split("localhost", 1)[1]
    # Opening the link only shows a button; the POST verifies.
    assert client.get(path).status_code == 200
    assert not get_user(app, "jana.vogel@example.com").is_verified
    redirects_to(submit(client, path, {}), "/auth/login")
    assert get_user(app, "jana.vogel@example.com").is_verified
    redirects_to(log_in(client, "jana.vogel@example.com", "sehr-geheim-42"), "/")


def test_verification_mail_is_in_the_language_of_the_sign_up(app, client, mailbox):
    submit(client, "/auth/signup", {"name": "Tom Gray", "email": "tom@example.com",
                                    "password": "sehr-geheim-42"},
           headers={"Accept-Language": "en-GB,en;q=0.9"})
    mail = mailbox.wait_for("tom@example.com")[-1]
    assert mail["Subject"] == "Please confirm your email address"
    submit(app.test_client(), "/auth/signup", {"name": "Uta Grau", "email": "uta@example.com",
                                    "password": "sehr-geheim-42"})
    assert mailbox.wait_for("uta@example.com")[-1]["Subject"] == (
        "Bitte bestätigen Sie Ihre E-Mail-Adresse")


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "A", "email": "not-an-email", "password": "long-enough-1"}, "email",
         "gültige E-Mail-Adresse"),
        ({"name": "A", "email": "a@example.com", "password": "short"}, "password",
         "mindestens 10 Zeichen"),
        ({"name": "", "email": "a@example.com", "password": "long-enough-1"}, "name",
         "Namen ein"),
    ],
)
def test_sign_up_with_bad_input_is_refused_next_to_the_field(app, client, form, field, message):
    before = user_count(app)
    response = submit(client, "/auth/signup", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert f'aria-describedby="{field}-error"' in html or f'{field}-error"' in html
    assert user_count(app) == before


def sign_up(app, email: str, name="Mara Zwei") -> tuple[int, str, str]:
    """Sign up in a fresh browser; the status, Location and the page shown next,
    with the address replaced so that two answers can be compared."""
    client = app.test_client()
    response = submit(client, "/auth/signup", {
        "name": name, "email": email, "password": "long-enough-1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'value="[^"]+"', 'value=""', page.replace(email, "ADDRESS"))
    return response.status_code, response.headers["Location"], page


def test_sign_up_with_a_taken_address_answers_as_with_a_new_one(app, make_user, mailbox):
    make_user(email="mara@example.com", locale="en")
    taken = sign_up(app, "MARA@Example.COM")
    new = sign_up(app, "neu@example.com")
    assert taken == new
    assert taken[0] == 302 and "Bitte prüfen Sie Ihr Postfach" in taken[2]
    assert user_count(app) == 2  # no second account for Mara

    # The owner learns of the attempt, in their own language, with the ways in.
    notice = mailbox.wait_for("mara@example.com")[-1]
    assert notice["Subject"] == "Someone tried to create an account with your address"
    body = notice.get_body(("plain",)).get_content()
    assert "no second one was created" in body
    assert "http://localhost/auth/login" in body and "http://localhost/auth/reset" in body
    assert "/auth/verify/" not in body
    # The new address gets the verification mail as before.
    assert "/auth/verify/" in mailbox.last_link("neu@example.com")
    assert len([m for m in mailbox.arrived() if "mara" in m["To"]]) == 1


def test_the_account_holder_is_told_in_the_language_of_the_sign_up(app, make_user,
                                                                    mailbox):
    make_user(email="mara@example.com")  # no language chosen yet
    sign_up(app, "mara@example.com")
    mail = mailbox.wait_for("mara@example.com")[-1]
    assert mail["Subject"] == "Jemand wollte mit Ihrer Adresse ein Konto anlegen"
    assert "Falls Sie es waren, melden Sie sich hier an:" in mail.get_body(("plain",)).get_content()


def test_a_taken_address_costs_a_password_hash_too(app, make_user, monkeypatch):
    make_user(email="mara@example.com")
    hashed = []
    original = auth_views.hash_password
    monkeypatch.setattr(auth_views, "hash_password",
                        lambda password: hashed.append(1) or original(password))
    sign_up(app, "mara@example.com")
    assert hashed == [1]


def test_sign_up_is_rate_limited(app, client):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    token = csrf_token(client.get("/auth/signup").get_data(as_text=True))
    statuses = [client.post("/auth/signup", data={
        "csrf_token": token, "name": "Viel Zuviel", "email": f"v{n}@example.com",
        "password": "long-enough-1"}).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    response = client.post("/auth/signup", data={
        "csrf_token": token, "name": "Viel Zuviel", "email": "v9@example.com",
        "password": "long-enough-1"}, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert get_user(app, "v9@example.com") is None
    # Only sending counts: the form itself still opens.
    assert client.get("/auth/signup").status_code == 200


def test_the_database_refuses_a_second_account_for_the_same_address(app, make_user):
    make_user(email="mara@example.com")
    with app.app_context(), pytest.raises(services.EmailTaken):
        db.session.add(User(email="mara@example.com", name="Race", password_hash="x"))
        try:
            with db.session.begin_nested():
                db.session.flush()
        except Exception as exc:  # the unique constraint, whatever the driver calls it
            raise services.EmailTaken() from exc


def test_login_and_logout(app, client, make_user):
    make_user()
    redirects_to(log_in(client, "mara@example.com"), "/")
    home = client.get("/").get_data(as_text=True)
    assert "Abmelden" in home
    # Logging out is a POST with a CSRF token.
    assert client.get("/auth/logout").status_code == 405
    redirects_to(submit(client, "/auth/logout", {}, page="/"), "/")
    assert "Abmelden" not in client.get("/").get_data(as_text=True)


def test_login_errors_do_not_reveal_whether_the_email_exists(client, make_user):
    make_user()
    wrong_password = log_in(client, "mara@example.com", password="wrong password!")
    unknown_email = log_in(client, email="nobody@example.com")
    assert wrong_password.status_code == unknown_email.status_code == 422

    def error(response):
        return re.search(r'class="field-error"[^>]*>(.*?)</p>', response.get_data(as_text=True),
                         re.S).group(1).strip()

    assert error(wrong_password) == error(unknown_email)
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt." in error(wrong_password)


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    assert client.get_cookie("remember_token") is None
    submit(client, "/auth/logout", {}, page="/")
    log_in(client, "mara@example.com", remember="y")
    assert client.get_cookie("remember_token") is not None


def test_remember_cookie_alone_keeps_the_person_logged_in(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com", remember="y")
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert "Abmelden" in fresh.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\\evil.example/", "https://evil.example/",
               "http:/evil.example", "javascript:alert(1)", "/\t/evil.example"],
)
def test_open_redirects_are_refused(client, make_user, target):
    make_user()
    redirects_to(log_in(client, "mara@example.com", next=target), "/")


def test_safe_next_is_followed(client, make_user):
    make_user()
    redirects_to(log_in(client, "mara@example.com", next="/account/"), "/account/")


def test_login_required_pages_send_to_login_with_next(client):
    redirects_to(client.get("/account/"), "/auth/login?next=/account/")


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client):
    response = client.post("/auth/signup", data={
        "name": "No Token", "email": "nt@example.com", "password": "long-enough-1"})
    assert response.status_code == 400
    assert "Formular abgelaufen" in response.get_data(as_text=True)
    assert get_user(app, "nt@example.com") is None


def test_login_is_rate_limited(app, client, make_user):
    make_user()
    html = client.get("/auth/login").get_data(as_text=True)
    token = csrf_token(html)
    statuses = [
        client.post("/auth/login", data={"csrf_token": token, "email": "mara@example.com",
                                         "password": "wrong password!"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    # Even the right password waits now.
    response = client.post("/auth/login", data={"csrf_token": token,
                                                "email": "mara@example.com",
                                                "password": PASSWORD})
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.get_data(as_text=True)


def test_password_reset_by_single_use_link(app, client, make_user, mailbox):
    make_user()
    old_hash = get_user(app, "mara@example.com").password_hash
    redirects_to(submit(client, "/auth/reset", {"email": "Mara@example.com"}), "/auth/login")
    deliver(app)
    path = mailbox.last_link("mara@example.com").split("localhost", 1)[1]
    assert client.get(path).status_code == 200

    redirects_to(submit(client, path, {"password": "brand-new-secret"}), "/")
    assert get_user(app, "mara@example.com").password_hash != old_hash
    assert get_user(app, "mara@example.com").check_password("brand-new-secret")

    # The same link again: refused, nothing changes.
    submit(client, "/auth/logout", {}, page="/")
    again = client.get(path)
    assert again.status_code == 400
    assert "ungültig oder wurde bereits verwendet" in again.get_data(as_text=True)
    hash_after = get_user(app, "mara@example.com").password_hash
    client.post(path, data={"password": "another-secret-1"})
    assert get_user(app, "mara@example.com").password_hash == hash_after


def test_reset_request_does_not_reveal_unknown_addresses(app, client, mailbox, make_user):
    make_user()
    known = submit(client, "/auth/reset", {"email": "mara@example.com"}, follow_redirects=True)
    unknown = submit(client, "/auth/reset", {"email": "ghost@example.com"},
                     follow_redirects=True)

    def flash(response):
        return re.search(r'class="flash[^"]*"[^>]*>(.*?)</div>',
                         response.get_data(as_text=True), re.S).group(1)

    assert flash(known).replace("mara", "X") == flash(unknown).replace("ghost", "X")
    assert "/auth/reset/" in mailbox.last_link("mara@example.com")
    # The unknown address is told that it has no account, and gets no reset link.
    [ghost] = [m for m in mailbox.arrived() if "ghost" in m["To"]]
    body = ghost.get_body(("plain",)).get_content()
    assert "kein Konto" in body and "/auth/reset/" not in body and "/auth/signup" in body


def test_expired_reset_link_is_refused(app, client, make_user, monkeypatch):
    user_id, _ = make_user()
    two_hours_ago = int(time.time()) - 2 * 3600
    with app.app_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
        token = services.reset_token(db.session.get(User, user_id))
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 400
    assert "abgelaufen" in response.get_data(as_text=True)


def test_tampered_reset_link_is_refused(client, make_user):
    make_user()
    assert client.get("/auth/reset/not-a-real-token").status_code == 400


def test_password_reset_is_rate_limited(client):
    token = csrf_token(client.get("/auth/reset").get_data(as_text=True))
    responses = [client.post("/auth/reset", data={"csrf_token": token, "email": "x@example.com"})
                 for _ in range(6)]
    for response in responses[:5]:
        redirects_to(response, "/auth/login")
    assert responses[5].status_code == 429


def test_change_password_logs_out_other_devices(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    other_device = app.test_client()
    log_in(other_device, "mara@example.com")
    response = submit(client, "/account/password", {
        "password-current_password": PASSWORD, "password-password": "a-new-password-9"},
        page="/account/")
    redirects_to(response, "/account/")
    assert get_user(app, "mara@example.com").check_password("a-new-password-9")
    assert "Abmelden" in client.get("/").get_data(as_text=True)
    assert "Abmelden" not in other_device.get("/").get_data(as_text=True)


def test_change_password_needs_the_current_one(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/account/password", {
        "password-current_password": "not my password",
        "password-password": "a-new-password-9"}, page="/account/")
    assert response.status_code == 422
    assert "nicht Ihr aktuelles Passwort" in response.get_data(as_text=True)
    assert get_user(app, "mara@example.com").check_password(PASSWORD)


def test_change_email_is_confirmed_from_the_new_address(app, client, make_user, mailbox):
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/account/email", {
        "email-email": "Mara.Neu@example.com", "email-current_password": PASSWORD},
        page="/account/")
    redirects_to(response, "/account/")
    # Nothing changes until the new address is confirmed.
    assert get_user(app, "mara@example.com") is not None
    path = mailbox.last_link("mara.neu@example.com").split("localhost", 1)[1]
    redirects_to(submit(client, path, {}), "/")
    user = get_user(app, "mara.neu@example.com")
    assert user is not None and user.is_verified
    assert get_user(app, "mara@example.com") is None
    # The link works once.
    assert submit(client, path, {}, page="/").status_code == 400


def test_change_email_to_a_taken_address_is_refused(app, client, make_user, mailbox):
    make_user()
    make_user(email="other@example.com", name="Other")
    log_in(client, "mara@example.com")
    response = submit(client, "/account/email", {
        "email-email": "OTHER@example.com", "email-current_password": PASSWORD},
        page="/account/")
    assert response.status_code == 422
    assert "bereits von einem anderen Konto" in response.get_data(as_text=True)
    assert not [m for m in mailbox.arrived() if "other@" in m["To"]]


def test_settings_save_language_and_time_zone(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/account/", {
        "settings-name": " Mara B. ", "settings-locale": "en",
        "settings-timezone": "America/New_York"})
    redirects_to(response, "/account/")
    user = get_user(app, "mara@example.com")
    assert (user.name, user.locale, user.timezone) == ("Mara B.", "en", "America/New_York")
    assert "My account" in client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime", "Factory", "Etc/GMT+5"])
def test_settings_refuse_an_unknown_time_zone(app, client, make_user, zone):
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/account/", {
        "settings-name": "Mara", "settings-locale": "", "settings-timezone": zone})
    assert response.status_code == 422
    assert get_user(app, "mara@example.com").timezone == "Europe/Berlin"


def test_mail_server_down_does_not_lose_the_sign_up(app, client, mailbox):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    response = submit(client, "/auth/signup", {
        "name": "Offline", "email": "offline@example.com", "password": "long-enough-1"})
    redirects_to(response, "/auth/signup/sent")
    assert get_user(app, "offline@example.com") is not None


def test_cookies_replayed_after_logout_do_not_log_in(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com", remember="y")
    session = client.get_cookie("session").value
    remember = client.get_cookie("remember_token").value
    redirects_to(submit(client, "/auth/logout", {}, page="/"), "/")
    for name, value in (("session", session), ("remember_token", remember)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert "Abmelden" not in replay.get("/").get_data(as_text=True), name
        redirects_to(replay.get("/account/"), "/auth/login?next=/account/")
    both = app.test_client()
    both.set_cookie("session", session)
    both.set_cookie("remember_token", remember)
    assert "Abmelden" not in both.get("/").get_data(as_text=True)
